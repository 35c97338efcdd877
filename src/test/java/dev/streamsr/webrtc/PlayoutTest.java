package dev.streamsr.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PlayoutTest {
    @Test
    void beforeAnyUpscaledFrameEverythingGoesAtOnce() {
        assertEquals(0, new Playout().sendAt(1_000_000));
    }

    @Test
    void sendsEveryFrameAtItsIngestTimePlusTheUpscaledLagsNinetyFifthPercentile() {
        Playout p = new Playout();
        for (int i = 0; i < 100; i++) {
            p.arrived(i < 95 ? 100 : 400); // five late frames of the last 90 are above the 95th percentile
        }
        assertEquals(100, p.delayMs());
        assertEquals(5_100, p.sendAt(5_000));
        for (int i = 0; i < 10; i++) {
            p.arrived(400);
        }
        // Now 15 of 90 are late: the delay covers them, so the late ones are not sent later than the rest.
        assertEquals(400, p.delayMs());
    }

    @Test
    void forgetsLagsOlderThanItsWindow() {
        Playout p = new Playout();
        for (int i = 0; i < 90; i++) {
            p.arrived(900);
        }
        for (int i = 0; i < 90; i++) {
            p.arrived(120);
        }
        assertEquals(120, p.delayMs());
    }
}
