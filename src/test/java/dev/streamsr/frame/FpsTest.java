package dev.streamsr.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FpsTest {
    @Test
    void readsWhatGStreamerWritesAndWritesItBack() {
        Fps ntsc = Fps.parse("30000/1001");
        assertEquals(29.97, ntsc.perSecond(), 0.001);
        assertEquals(33_366_667L, ntsc.frameNanos(0));
        assertEquals("30000/1001", ntsc.toString());
        assertEquals(new Fps(25, 1), Fps.parse("25"));
    }

    @Test
    void anUnknownRateHasNoDurationAndBadTextIsRefused() {
        assertFalse(Fps.UNKNOWN.known());
        assertEquals(40_000_000L, Fps.parse("0/1").frameNanos(40_000_000L));
        for (String bad : new String[] {"30/0", "fast", "30/", "-1/1", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fps.parse(bad));
            assertEquals("'" + bad + "' is not a frame rate: use num/den, such as 30/1 or 30000/1001", e.getMessage());
        }
    }
}
