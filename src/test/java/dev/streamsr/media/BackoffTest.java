package dev.streamsr.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    @Test
    void growsExponentiallyWithinJitterBounds() {
        Random r = new Random(1);
        for (int attempt = 1; attempt <= 10; attempt++) {
            long ceiling = Math.min(30_000, 500L << (attempt - 1));
            for (int i = 0; i < 200; i++) {
                long d = backoff.delay(attempt, r).toMillis();
                assertTrue(d >= ceiling / 2 && d <= ceiling, "attempt " + attempt + " gave " + d + " ms, ceiling " + ceiling);
            }
        }
    }

    @Test
    void neverExceedsTheMaximumEvenAfterManyAttempts() {
        Random r = new Random(2);
        assertTrue(backoff.delay(1000, r).toMillis() <= 30_000);
    }

    @Test
    void jitterSpreadsReconnects() {
        Random r = new Random(3);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(backoff.delay(5, r).toMillis());
        }
        assertTrue(seen.size() > 20, "jitter should spread delays, saw " + seen.size() + " distinct values");
    }

    @Test
    void firstAttemptWaitsAboutTheInitialDelay() {
        long d = backoff.delay(1, new Random(4)).toMillis();
        assertTrue(d >= 250 && d <= 500);
        assertEquals(Duration.ofSeconds(30), backoff.max());
    }
}
