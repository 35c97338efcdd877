package dev.streamsr.media;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter: attempt n waits a random time in [d/2, d] where
 * d = min(max, initial * 2^(n-1)), so a wall of cameras that lost the network together does not
 * reconnect in lock-step. Sources reconnect with it, and so do restream outputs.
 */
public record Backoff(Duration initial, Duration max) {

    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
        long initialMs = Math.max(1, initial.toMillis());
        long cap = Math.max(initialMs, max.toMillis());
        long d = attempt > 40 ? cap : Math.min(cap, initialMs << Math.min(attempt - 1, 40));
        long half = d / 2;
        return Duration.ofMillis(half + random.nextLong(d - half + 1));
    }
}
