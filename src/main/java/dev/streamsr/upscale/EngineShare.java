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
 *   <li>while another active live stream is waiting for the engine and was last upscaled before this
 *       one: skipped ({@link Decision#SKIP_FAIR_SHARE}), so the engine goes round the streams in turn;</li>
 *   <li>otherwise: upscaled.</li>
 * </ul>
 * A stream is waiting when its last frame was skipped, or was upscaled while behind (older than
 * {@code behind}): it has more frames queued than it is getting. A stream whose last frame was
 * upscaled on time has nothing queued, and nobody gives way to it. Frames of files are always upscaled.
 * <p>
 * Lag alone is not fair: streams that share a partition arrive interleaved in the same order every
 * time, and a lag threshold then cut the same streams out again and again (two of four produced
 * nothing in a 3-minute probe), while a stream alone on its partition, with a short queue, was
 * always on time and took the engine every time. Nor is a fair turn that only holds while some frame
 * is behind: a Kafka Streams thread takes several records of one partition at a time, its queues
 * drain in bursts, and in every lull the stream alone on its partition took the engine (twice its
 * share in a simulation of four streams). A stream whose frames are past {@code maxLag} waits
 * too, so the others give way and its backlog drains (skipping is cheap); but only for a second
 * after its first late frame, so a stream that is always late (a wrong clock, a backlog that
 * will not drain) cannot hold the others up, and claims again only after a frame on time.
 */
final class EngineShare {
    enum Decision { UPSCALE, SKIP_MAX_LAG, SKIP_FAIR_SHARE }

    /** A stream takes part for this long after its last frame. */
    private static final long ACTIVE_NANOS = 1_000_000_000L;
    /** A stream whose frames are too late waits its turn for this long after its first late frame. */
    private static final long LATE_CLAIM_NANOS = 1_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE;

    private static final class Share {
        long served = NEVER;
        long seen = NEVER;
        long lateSince = NEVER;
        boolean live;
        boolean waiting;
    }

    private final long maxLagNanos;
    private final long behindNanos;
    private final Map<StreamId, Share> streams = new HashMap<>();

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
                if (s.lateSince == NEVER) {
                    s.lateSince = nowNanos;
                }
                s.waiting = nowNanos - s.lateSince < LATE_CLAIM_NANOS;
                return Decision.SKIP_MAX_LAG;
            }
            s.lateSince = NEVER;
            for (Share other : streams.values()) {
                if (other != s && other.live && other.waiting && nowNanos - other.seen < ACTIVE_NANOS && other.served < s.served) {
                    s.waiting = true;
                    return Decision.SKIP_FAIR_SHARE; // another stream has waited longer for its turn
                }
            }
            s.waiting = lagNanos > behindNanos;
        }
        s.served = nowNanos;
        return Decision.UPSCALE;
    }

    /** The stream ended: it no longer takes part. */
    synchronized void forget(StreamId stream) {
        streams.remove(stream);
    }
}
