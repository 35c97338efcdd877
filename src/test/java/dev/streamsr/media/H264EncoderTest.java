package dev.streamsr.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameFormat;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class H264EncoderTest {
    @Test
    void everyFrameYieldsOneAccessUnitAndTheFirstIsAKeyFrameWithSpsPps() {
        int w = 90; // 270 bytes per row: GStreamer pads it, the encoder must copy around that
        int h = 64;
        byte[] frame = new byte[w * h * 3];
        new Random(1).nextBytes(frame);
        try (H264Encoder enc = new H264Encoder(FrameFormat.RGB, w, h, dev.streamsr.frame.Fps.parse("10/1"), new EncoderSettings("ultrafast", 23, 1, 1.0))) {
            int keyframes = 0;
            for (int i = 0; i < 25; i++) {
                AccessUnit au = enc.encode(ByteBuffer.wrap(frame), i * 100_000_000L);
                assertTrue(au.data().length > 0);
                if (i == 0) {
                    assertTrue(au.keyframe(), "first access unit must be a key frame");
                    assertTrue(containsNal(au.data(), 7) && containsNal(au.data(), 8), "first access unit carries SPS and PPS");
                } else if (i % 10 != 0) {
                    assertFalse(au.keyframe(), "frame " + i + " should be a delta frame");
                }
                keyframes += au.keyframe() ? 1 : 0;
            }
            assertEquals(3, keyframes, "key-frame interval follows segment duration x fps = 10");
        }
    }

    @Test
    void aForcedKeyFrameComesOnTheNextFrameWithSpsPps() {
        int w = 64;
        int h = 48;
        byte[] frame = new byte[w * h * 3];
        Random random = new Random(2);
        try (H264Encoder enc = new H264Encoder(FrameFormat.RGB, w, h, dev.streamsr.frame.Fps.parse("30/1"), new EncoderSettings("ultrafast", 23, 1, 10.0))) {
            StringBuilder keys = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                if (i == 5) {
                    enc.forceKeyframe();
                }
                random.nextBytes(frame);
                AccessUnit au = enc.encode(ByteBuffer.wrap(frame), i * 33_333_333L);
                keys.append(au.keyframe() ? 'K' : '.');
                if (i == 5) {
                    assertTrue(containsNal(au.data(), 7) && containsNal(au.data(), 8), "the forced key frame carries SPS and PPS");
                }
            }
            // 300 frames between natural key frames: only the first and the forced one are key frames.
            assertEquals("K....K......", keys.toString());
        }
    }

    private static boolean containsNal(byte[] au, int type) {
        for (int i = 0; i + 3 < au.length; i++) {
            if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 && (au[i + 3] & 0x1f) == type) {
                return true;
            }
        }
        return false;
    }
}
