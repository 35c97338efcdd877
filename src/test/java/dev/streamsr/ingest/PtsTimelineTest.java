package dev.streamsr.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamsr.frame.Fps;
import org.junit.jupiter.api.Test;

class PtsTimelineTest {
    private static final long FRAME = 40_000_000L;

    @Test
    void aLoopedFileContinuesRightAfterItsLastFrameWhateverItsOwnStart() {
        PtsTimeline t = new PtsTimeline();
        t.rate(new Fps(25, 1));
        long start = 125_000_000L; // MPEG-TS files start late
        assertEquals(start, t.video(start));
        assertEquals(start + FRAME, t.video(start + FRAME));
        t.nextLoop();
        // The next loop's audio may come first; both land on the same continued timeline.
        assertEquals(start + 2 * FRAME, t.at(start));
        assertEquals(start + 2 * FRAME, t.video(start));
        assertEquals(start + 3 * FRAME, t.video(start + FRAME));
    }

    @Test
    void videoTimestampsOnlyMoveForward() {
        PtsTimeline t = new PtsTimeline();
        t.rate(new Fps(25, 1));
        assertEquals(0, t.video(-1), "no timestamp at all starts at 0");
        assertEquals(FRAME, t.video(-1), "a missing one continues by a frame");
        assertEquals(2 * FRAME, t.video(FRAME), "a repeated one moves on by a frame");
        assertEquals(5 * FRAME, t.video(5 * FRAME));
        t.rate(Fps.UNKNOWN);
        assertEquals(6 * FRAME, t.video(5 * FRAME), "an unknown rate keeps the last frame duration");
    }
}
