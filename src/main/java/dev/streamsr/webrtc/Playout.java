package dev.streamsr.webrtc;

import java.util.Arrays;

/**
 * A stream's playout clock: every frame of both renditions, and the audio, is sent to viewers at
 * its ingest time plus one delay, so the source pane shows a frame when the upscaled pane shows
 * the same one. The delay is the upscaled frames' arrival lag at a high percentile over the last
 * few seconds: sent on time and evenly spaced, neither rendition gives the browser jitter to
 * buffer against, so the browser adds the same small delay to both. Clock offsets between the
 * ingest and this host cancel out, as both lags are measured against the same ingest clock.
 */
final class Playout {
    private static final int WINDOW = 90;
    private final long[] lags = new long[WINDOW];
    private int count;
    private int next;
    private volatile long delayMs = -1;

    /** An upscaled frame arrived {@code lagMs} after its ingest. */
    synchronized void arrived(long lagMs) {
        lags[next] = Math.max(0, lagMs);
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
        long[] sorted = Arrays.copyOf(lags, count);
        Arrays.sort(sorted);
        delayMs = sorted[(int) Math.floor(0.95 * (count - 1))];
    }

    /** When a frame ingested at {@code ingestMs} goes out; before any upscaled frame, at once. */
    long sendAt(long ingestMs) {
        long d = delayMs;
        return d < 0 ? 0 : ingestMs + d;
    }

    long delayMs() {
        return delayMs;
    }
}
