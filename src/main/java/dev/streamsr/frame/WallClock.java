package dev.streamsr.frame;

import java.time.Instant;

/** Wall-clock time in epoch nanoseconds, comparable across processes for end-to-end latency. */
public final class WallClock {
    private WallClock() {
    }

    public static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
