package dev.streamsr.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FrameSizeTest {
    @Test
    void parsesWidthByHeight() {
        assertEquals(new FrameSize(1280, 720), FrameSize.parse("1280x720"));
        assertEquals("320x180", FrameSize.parse(" 320x180 ").toString());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> FrameSize.parse("720p"));
        assertThrows(IllegalArgumentException.class, () -> FrameSize.parse("0x10"));
    }
}
