package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoExecStackTest {
    /** A 64-bit little-endian ELF header with two program headers: PT_LOAD (R+X) and PT_GNU_STACK (given flags). */
    private static byte[] elf(int stackFlags) {
        ByteBuffer b = ByteBuffer.allocate(64 + 2 * 56).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1);
        b.putLong(32, 64).putShort(54, (short) 56).putShort(56, (short) 2);
        b.putInt(64, 1).putInt(68, 5);
        b.putInt(120, 0x6474e551).putInt(124, stackFlags);
        return b.array();
    }

    private static int flagsAt(byte[] file, int at) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    @Test
    void clearsOnlyTheStacksExecuteBitAndKeepsTheFileTime(@TempDir Path tmp) throws Exception {
        Path lib = Files.write(tmp.resolve("lib.so"), elf(7));
        FileTime time = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(lib, time);
        assertTrue(NoExecStack.clear(lib));
        byte[] after = Files.readAllBytes(lib);
        assertEquals(6, flagsAt(after, 124), "RWE becomes RW");
        assertEquals(5, flagsAt(after, 68), "the code segment keeps its execute bit");
        assertEquals(time, Files.getLastModifiedTime(lib), "JavaCPP would extract a file with a new time again");
        assertFalse(NoExecStack.clear(lib), "nothing left to clear");
    }

    @Test
    void leavesAnythingElseAlone(@TempDir Path tmp) throws Exception {
        byte[] text = new byte[200];
        Path notElf = Files.write(tmp.resolve("readme.so"), text);
        assertFalse(NoExecStack.clear(notElf));
        assertArrayEquals(text, Files.readAllBytes(notElf));
        Path clean = Files.write(tmp.resolve("clean.so"), elf(6));
        assertFalse(NoExecStack.clear(clean));
        assertArrayEquals(elf(6), Files.readAllBytes(clean));
    }
}
