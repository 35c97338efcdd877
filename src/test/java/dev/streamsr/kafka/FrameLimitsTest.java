package dev.streamsr.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import org.junit.jupiter.api.Test;

class FrameLimitsTest {
    @Test
    void theDefaultAllowsFullHdAndNothingLarger() {
        FrameLimits l = FrameLimits.defaults();
        assertTrue(l.allows(1920, 1080));
        assertTrue(l.allows(1080, 1920), "portrait full HD has the same pixel count");
        assertFalse(l.allows(2560, 1440));
        assertFalse(l.allows(65_534, 2), "a side longer than the longest allowed side, however few pixels");
    }

    @Test
    void rawFramesOverTheLimitOrWithAnOddSideBreakTheContract() {
        FrameLimits l = new FrameLimits(new FrameSize(320, 240));
        assertTrue(l.check(frame(320, 240, FrameFormat.RGB)).isEmpty());
        assertEquals(ContractViolation.OVERSIZE, l.check(frame(640, 480, FrameFormat.RGB)).orElseThrow().reason());
        assertEquals(ContractViolation.OVERSIZE, l.check(frame(65_535, 1, FrameFormat.RGB)).orElseThrow().reason());
        assertEquals(ContractViolation.BAD_HEADER, l.check(frame(63, 48, FrameFormat.RGB)).orElseThrow().reason());
        assertTrue(l.check(frame(1280, 960, FrameFormat.H264)).isEmpty(), "access units are the upscaler's output, not input");
    }

    private static Frame frame(int w, int h, FrameFormat format) {
        return new Frame(StreamId.of("cam"), 0, 0, w, h, format, false, 0, dev.streamsr.frame.Fps.parse("25/1"), new byte[format.isRaw() ? (int) format.payloadBytes(w, h) : 1]);
    }

    @Test
    void theRecordLimitFitsTheLargestFrameAndItsLatent() {
        FrameLimits l = new FrameLimits(new FrameSize(1920, 1080));
        assertTrue(l.maxRecordBytes() > 1920 * 1080 * 3 + 4 * 1920 * 1080);
    }
}
