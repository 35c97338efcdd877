package dev.streamsr.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamsr.frame.StreamId;
import dev.streamsr.upscale.EngineShare.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineShareTest {
    private static final long MS = 1_000_000L;
    private final EngineShare share = new EngineShare(Duration.ofSeconds(1));

    @Test
    void framesOfFilesAreNeverSkippedHoweverLate() {
        assertEquals(Decision.UPSCALE, share.decide(StreamId.of("file"), false, 60_000 * MS, 0));
    }

    @Test
    void aStreamThatKeepsUpIsNeverSkipped() {
        for (int i = 0; i < 100; i++) {
            assertEquals(Decision.UPSCALE, share.decide(StreamId.of("cam"), true, 40 * MS, i * 33 * MS));
        }
    }

    @Test
    void liveFramesOlderThanTheBoundAreSkipped() {
        assertEquals(Decision.SKIP_MAX_LAG, share.decide(StreamId.of("cam"), true, 1_001 * MS, 0));
    }

    @Test
    void underContentionTheEngineGoesRoundTheStreamsInTurn() {
        // Frames arrive interleaved in the same order every time (a, b, c share a partition), all behind.
        List<String> served = new ArrayList<>();
        long now = 0;
        for (int round = 0; round < 12; round++) {
            for (String id : new String[] {"a", "b", "c"}) {
                now += 10 * MS;
                if (share.decide(StreamId.of(id), true, 400 * MS, now) == Decision.UPSCALE) {
                    served.add(id);
                    now += 40 * MS; // the engine call
                }
            }
        }
        long a = served.stream().filter("a"::equals).count();
        long b = served.stream().filter("b"::equals).count();
        long c = served.stream().filter("c"::equals).count();
        assertEquals(a, b, 1.0, served.toString());
        assertEquals(b, c, 1.0, served.toString());
    }

    @Test
    void aStreamWithAShortQueueDoesNotJumpTheQueueWhileOthersAreBehind() {
        StreamId alone = StreamId.of("alone");
        StreamId crowded = StreamId.of("crowded");
        assertEquals(Decision.UPSCALE, share.decide(alone, true, 10 * MS, 0));
        assertEquals(Decision.UPSCALE, share.decide(crowded, true, 600 * MS, MS)); // behind: the engine is contended now
        assertEquals(Decision.SKIP_FAIR_SHARE, share.decide(crowded, true, 600 * MS, 2 * MS), "alone has waited longer");
        assertEquals(Decision.UPSCALE, share.decide(alone, true, 10 * MS, 3 * MS));
        assertEquals(Decision.SKIP_FAIR_SHARE, share.decide(alone, true, 10 * MS, 4 * MS),
                "on time, but crowded has waited longer: no jumping the queue");
    }
}
