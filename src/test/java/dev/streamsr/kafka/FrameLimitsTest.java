package dev.streamsr.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import org.junit.jupiter.api.Test;

class FrameLimitsTest {
    @Test
    void theDefaultAllowsFullHdAndNothingLarger() {
        FrameLimits l = FrameLimits.defaults();
        assertTrue(l.allows(1920, 1080));
        assertTrue(l.allows(1080, 1920), "portrait full HD has the same pixel count");
        assertFalse(l.allows(2560, 1440));
    }

    @Test
    void theRecordLimitFitsTheLargestFrameAndItsLatent() {
        FrameLimits l = new FrameLimits(new FrameSize(1920, 1080));
        assertTrue(l.maxRecordBytes() > 1920 * 1080 * 3 + 4 * 1920 * 1080);
    }
}
