package dev.streamsr.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HistoryTest {
    @Test
    void roundTripsThroughBytes() {
        History h = new History(320, 180, 41, "streamsr-recurrent-x4@2", new byte[] {1, 2, 3}, new byte[] {4, 5});
        History back = History.fromBytes(h.toBytes());
        assertEquals(320, back.width());
        assertEquals(180, back.height());
        assertEquals(41, back.seq());
        assertEquals("streamsr-recurrent-x4@2", back.model());
        assertArrayEquals(new byte[] {1, 2, 3}, back.prevLr());
        assertArrayEquals(new byte[] {4, 5}, back.latent());
    }

    @Test
    void foreignBytesMeanNoHistory() {
        assertNull(History.fromBytes(null));
        assertNull(History.fromBytes(new byte[] {1, 2, 3}));
        byte[] truncated = new History(2, 2, 0, "m@1", new byte[12], new byte[4]).toBytes();
        assertNull(History.fromBytes(java.util.Arrays.copyOf(truncated, truncated.length - 1)));
        // Version 1 ("SRH1"), which did not name the model: the stream starts fresh rather than guess.
        byte[] version1 = truncated.clone();
        version1[3] = '1';
        assertNull(History.fromBytes(version1));
    }
}
