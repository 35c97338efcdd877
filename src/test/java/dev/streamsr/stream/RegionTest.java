package dev.streamsr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegionTest {
    @Test
    void fractionsBecomeEvenPixelMarginsOfTheActualFrame() {
        Region door = Region.parse("0.5, 0.25, 0.25, 0.5");
        assertEquals(new Region.Crop(960, 270, 480, 270), door.crop(1920, 1080));
        assertEquals(new Region.Crop(160, 60, 80, 60), door.crop(320, 240));
        assertEquals("0.5,0.25,0.25,0.5", door.toString());
        Region.Crop odd = Region.parse("0.1,0.1,0.333,0.333").crop(322, 182);
        assertTrue(odd.left() % 2 == 0 && odd.top() % 2 == 0 && (322 - odd.left() - odd.right()) % 2 == 0, odd.toString());
    }

    @Test
    void regionsOutsideTheFrameOrTooSmallAreRefusedWithTheReason() {
        assertEquals("region 0.5,0,0.6,1 is outside the frame: x + w and y + h must be at most 1",
                assertThrows(IllegalArgumentException.class, () -> Region.parse("0.5,0,0.6,1")).getMessage());
        assertEquals("region 0,0,0.01,0.5 is too small: w and h must be at least 0.02",
                assertThrows(IllegalArgumentException.class, () -> Region.parse("0,0,0.01,0.5")).getMessage());
        assertEquals("region -0.1,0,0.5,0.5: x and y must be at least 0, w and h above 0",
                assertThrows(IllegalArgumentException.class, () -> Region.parse("-0.1,0,0.5,0.5")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Region.parse("1,2,3")).getMessage().contains("must be x,y,w,h"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Region.parse("0,0,half,1")).getMessage().contains("'half' is not a number"));
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class, () -> Region.parse("0,0,0.05,0.05").crop(160, 120));
        assertTrue(tiny.getMessage().contains("at least 16x16"), tiny.getMessage());
    }
}
