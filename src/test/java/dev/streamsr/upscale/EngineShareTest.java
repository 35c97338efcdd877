package dev.streamsr.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.StreamId;
import dev.streamsr.upscale.EngineShare.Decision;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
        assertEquals(Decision.UPSCALE, share.decide(crowded, true, 600 * MS, MS)); // behind: more of it is queued
        assertEquals(Decision.UPSCALE, share.decide(crowded, true, 600 * MS, 2 * MS),
                "alone was upscaled on time and has nothing queued: the engine does not wait for it");
        assertEquals(Decision.UPSCALE, share.decide(alone, true, 10 * MS, 3 * MS), "crowded was upscaled after alone");
        assertEquals(Decision.SKIP_FAIR_SHARE, share.decide(alone, true, 10 * MS, 4 * MS),
                "on time, but crowded is behind and has waited longer: no jumping the queue");
        assertEquals(Decision.UPSCALE, share.decide(crowded, true, 600 * MS, 5 * MS));
        assertEquals(Decision.SKIP_FAIR_SHARE, share.decide(crowded, true, 600 * MS, 6 * MS), "alone was skipped, so it waits now");
        assertEquals(Decision.UPSCALE, share.decide(alone, true, 10 * MS, 7 * MS));
    }

    @Test
    void aStreamWithAFewFramesDoesNotHoldBackABusyOne() {
        // busy is behind at 30 fps, sparse sends 5 fps and is upscaled on time: the engine is not left idle for sparse's sake.
        long now = 0;
        int busy = 0;
        for (int i = 0; i < 60; i++) {
            now += 33 * MS;
            if (i % 6 == 0) {
                assertEquals(Decision.UPSCALE, share.decide(StreamId.of("sparse"), true, 20 * MS, now));
            }
            if (share.decide(StreamId.of("busy"), true, 400 * MS, now + MS) == Decision.UPSCALE) {
                busy++;
            }
        }
        assertEquals(60, busy);
    }

    @Test
    void streamsThatStartBehindABacklogStillGetTheirTurn() {
        // b's partition is more than max-lag behind when it starts (a rebalance, a slow first engine call):
        // a gives way while b's backlog is skipped through, so b is not shut out by a stream that is on time.
        StreamId a = StreamId.of("a");
        StreamId b = StreamId.of("b");
        assertEquals(Decision.UPSCALE, share.decide(a, true, 300 * MS, 0));
        assertEquals(Decision.SKIP_MAX_LAG, share.decide(b, true, 2_500 * MS, MS));
        assertEquals(Decision.SKIP_FAIR_SHARE, share.decide(a, true, 300 * MS, 2 * MS), "b is waiting and has never had a turn");
        assertEquals(Decision.SKIP_MAX_LAG, share.decide(b, true, 1_800 * MS, 3 * MS));
        assertEquals(Decision.UPSCALE, share.decide(b, true, 900 * MS, 4 * MS), "b's backlog drained to a frame on time");
        assertEquals(Decision.UPSCALE, share.decide(a, true, 300 * MS, 5 * MS));
    }

    @Test
    void aStreamThatIsAlwaysTooLateStopsHoldingTheOthersUp() {
        StreamId late = StreamId.of("late");
        StreamId cam = StreamId.of("cam");
        assertEquals(Decision.UPSCALE, share.decide(late, true, 500 * MS, 0));
        assertEquals(Decision.UPSCALE, share.decide(cam, true, 500 * MS, MS));
        // From here every frame of late is past the bound (a wrong clock, or a backlog that will not drain).
        long now = 2 * MS;
        int camUpscaled = 0;
        for (int i = 0; i < 90; i++, now += 33 * MS) {
            assertEquals(Decision.SKIP_MAX_LAG, share.decide(late, true, 5_000 * MS, now));
            if (share.decide(cam, true, 500 * MS, now + MS) == Decision.UPSCALE) {
                camUpscaled++;
                assertTrue(now > 1_000 * MS || camUpscaled == 1, "late still had a claim on its turn at " + now / MS + " ms");
            }
        }
        assertTrue(camUpscaled > 55, "cam got " + camUpscaled + " of 90 frames while late was only too late");
    }

    /**
     * Four live streams at 30 fps on three partitions (a and b share one), against an engine that
     * manages 25 frames a second, run as one Kafka Streams thread runs them: a pass takes up to
     * {@code perPass} waiting records from each partition in turn. Skipping a frame costs almost
     * nothing, an engine call 40 ms. {@code backlogMs}: how far behind a and b's partition starts.
     * Returns the frames each stream got upscaled in 20 s.
     */
    private static int[] simulate(EngineShare share, int perPass, long backlogMs) {
        String[] ids = {"a", "b", "c", "d"};
        int[][] partitions = {{0, 1}, {2}, {3}};
        long interval = 1_000 * MS / 30;
        long[] next = {-backlogMs * MS, 7 * MS - backlogMs * MS, 13 * MS, 21 * MS};
        List<ArrayDeque<long[]>> queues = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            queues.add(new ArrayDeque<>());
        }
        int[] served = new int[ids.length];
        long now = 0;
        while (now < 20_000 * MS) {
            boolean any = false;
            for (int p = 0; p < partitions.length; p++) {
                for (int k = 0; k < perPass; k++) {
                    for (int s = 0; s < ids.length; s++) { // what the sources produced by now, in ingest order per partition
                        for (; next[s] <= now; next[s] += interval) {
                            queues.get(partitionOf(partitions, s)).add(new long[] {s, next[s]});
                        }
                    }
                    long[] record = queues.get(p).poll();
                    if (record == null) {
                        break;
                    }
                    any = true;
                    int s = (int) record[0];
                    if (share.decide(StreamId.of(ids[s]), true, now - record[1], now) == Decision.UPSCALE) {
                        served[s]++;
                        now += 40 * MS;
                    } else {
                        now += MS / 5;
                    }
                }
            }
            if (!any) {
                now += MS;
            }
        }
        return served;
    }

    private static int partitionOf(int[][] partitions, int stream) {
        for (int p = 0; p < partitions.length; p++) {
            if (Arrays.stream(partitions[p]).anyMatch(s -> s == stream)) {
                return p;
            }
        }
        throw new IllegalArgumentException("stream " + stream);
    }

    /** Each pass size: the least served stream gets at least {@code bound} of the most served, and the engine hardly idles. */
    private static void assertSharedEvenly(long backlogMs, double bound) {
        for (int perPass : new int[] {1, 4, 16}) {
            int[] served = simulate(new EngineShare(Duration.ofSeconds(1)), perPass, backlogMs);
            int max = Arrays.stream(served).max().orElseThrow();
            int min = Arrays.stream(served).min().orElseThrow();
            System.out.printf("%d record(s) a pass, a and b %d ms behind at the start: upscaled %s%n", perPass, backlogMs, Arrays.toString(served));
            assertTrue(min >= bound * max, perPass + " record(s) a pass: a, b, c, d upscaled " + Arrays.toString(served));
            assertTrue(Arrays.stream(served).sum() > 0.8 * 25 * 20, "the engine idled: " + Arrays.toString(served));
        }
    }

    @Test
    void aStreamAloneOnItsPartitionGetsNoMoreThanItsShare() {
        assertSharedEvenly(0, 0.9);
    }

    @Test
    void streamsWhosePartitionStartsFarBehindCatchUpAndGetTheirShare() {
        assertSharedEvenly(3_000, 0.85);
    }
}
