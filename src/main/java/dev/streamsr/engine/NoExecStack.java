package dev.streamsr.engine;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime 1.22's Linux library is marked as needing an executable stack (PT_GNU_STACK with
 * PF_X), a link-time leftover: it runs no code on the stack. Loading it into a running JVM makes
 * the JVM print a two-line warning on every start and make every thread stack executable.
 * Before the library is loaded, this clears the flag in JavaCPP's cached copy, which is what the
 * warning itself recommends ({@code execstack -c}); the file's time is kept, so JavaCPP does not
 * extract it again. No Java library does this, and the ELF program header is a fixed layout.
 */
final class NoExecStack {
    private static final Logger log = LoggerFactory.getLogger(NoExecStack.class);
    private static final int PT_GNU_STACK = 0x6474e551;
    private static final int PF_X = 1;

    private NoExecStack() {
    }

    /** Clears the flag of the cached ONNX Runtime library; anything unexpected leaves it alone. */
    static void onnxRuntime() {
        try {
            File lib = Loader.cacheResource("/org/bytedeco/onnxruntime/" + Loader.getPlatform() + "/libonnxruntime.so.1");
            if (lib != null) {
                clear(lib.toPath());
            }
        } catch (IOException | RuntimeException e) {
            log.debug("left the ONNX Runtime library's stack flag as it is", e);
        }
    }

    /** True when the flag was set and is now cleared. */
    static boolean clear(Path lib) throws IOException {
        if (!Files.isWritable(lib)) {
            return false;
        }
        FileTime modified = Files.getLastModifiedTime(lib);
        boolean changed = false;
        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            // 64-bit little-endian ELF only: the platforms JavaCPP ships ONNX Runtime for on Linux.
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                return false;
            }
            long phoff = header.getLong(32);
            int phentsize = Short.toUnsignedInt(header.getShort(54));
            int phnum = Short.toUnsignedInt(header.getShort(56));
            ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                long at = phoff + (long) i * phentsize;
                entry.clear();
                ch.read(entry, at);
                if (entry.getInt(0) == PT_GNU_STACK && (entry.getInt(4) & PF_X) != 0) {
                    ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, entry.getInt(4) & ~PF_X), at + 4);
                    changed = true;
                }
            }
        }
        if (changed) {
            Files.setLastModifiedTime(lib, modified);
            log.debug("cleared the executable-stack flag of {}", lib);
        }
        return changed;
    }
}
