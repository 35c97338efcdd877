package dev.streamsr.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamsr.frame.FrameFormat;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RawFramesTest {
    @Test
    void tightBuffersAreCopiedAsTheyAre() {
        byte[] src = new byte[4 * 2 * 3];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) i;
        }
        assertArrayEquals(src, RawFrames.copyTight(ByteBuffer.wrap(src), FrameFormat.RGB, 4, 2));
    }

    @Test
    void rgbRowPaddingIsRemoved() {
        // 2x2 RGB: 6 bytes per row, padded to 8 by GStreamer.
        byte[] padded = {1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0};
        assertEquals(16, RawFrames.paddedSize(FrameFormat.RGB, 2, 2));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, RawFrames.copyTight(ByteBuffer.wrap(padded), FrameFormat.RGB, 2, 2));
    }

    @Test
    void i420PlanePaddingIsRemoved() {
        // 2x2 I420: Y rows of 2 padded to 4, U and V 1x1 padded to 4.
        byte[] padded = {1, 2, 0, 0, 3, 4, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0};
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, RawFrames.copyTight(ByteBuffer.wrap(padded), FrameFormat.I420, 2, 2));
    }
}
