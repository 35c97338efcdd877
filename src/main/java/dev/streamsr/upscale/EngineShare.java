package dev.streamsr.upscale;

import dev.streamsr.frame.StreamId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How an upscaler that cannot keep up shares one engine between the live streams it owns, so
 * every stream stays live and none starves. For a frame of a live source:
 * <ul>
 *   <li>older than {@code maxLag} since ingest: skipped ({@link Decision#SKIP_MAX_LAG});</li>
 *   <li>while the engine is contended (some frame was behind, older than {@code behind}, in the
 *       last second): upscaled only if no other active live stream has waited longer for the engine,
 *       else skipped ({@link Decision#SKIP_FAIR_SHARE}), so the engine goes round the streams in turn;</li>
 *   <li>otherwise: upscaled.</li>
 * </ul>
 * Frames of files are always upscaled. Lag alone is not fair: streams that share a partition
 * arrive interleaved in the same order every time, and a lag threshold then cut the same streams
 * out again and again (two of four produced nothing in a 3-minute probe), while a stream alone on
 * its partition, with a short queue, was always on time and took the engine every time.
 */
final class EngineShare {
    enum Decision { UPSCALE, SKIP_MAX_LAG, SKIP_FAIR_SHARE }

    /** The engine counts as contended for this long after a frame that was behind. */
    private static final long CONTENDED_NANOS = 1_000_000_000L;
    /** A stream takes part for this long after its last frame. */
    private static final long ACTIVE_NANOS = 1_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE;

    private static final class Share {
        long served = NEVER;
        long seen = NEVER;
        boolean live;
    }

    private final long maxLagNanos;
    private final long behindNanos;
    private final Map<StreamId, Share> streams = new HashMap<>();
    private long lastBehind = NEVER;

    EngineShare(Duration maxLag) {
        this.maxLagNanos = maxLag.toNanos();
        this.behindNanos = Math.min(maxLagNanos / 2, 250_000_000L);
    }

    /** Decides for one frame; an upscale decision counts as the stream's turn at once (threads may share this). */
    synchronized Decision decide(StreamId stream, boolean live, long lagNanos, long nowNanos) {
        Share s = streams.computeIfAbsent(stream, k -> new Share());
        s.seen = nowNanos;
        s.live = live;
        if (live && maxLagNanos > 0) {
            if (lagNanos > maxLagNanos) {
                return Decision.SKIP_MAX_LAG;
            }
            if (lagNanos > behindNanos) {
                lastBehind = nowNanos;
            }
            if (lastBehind != NEVER && nowNanos - lastBehind < CONTENDED_NANOS) {
                for (Share other : streams.values()) {
                    if (other != s && other.live && nowNanos - other.seen < ACTIVE_NANOS && other.served < s.served) {
                        return Decision.SKIP_FAIR_SHARE; // another stream has waited longer for its turn
                    }
                }
            }
        }
        s.served = nowNanos;
        return Decision.UPSCALE;
    }

    /** The stream ended: it no longer takes part. */
    synchronized void forget(StreamId stream) {
        streams.remove(stream);
    }
}
