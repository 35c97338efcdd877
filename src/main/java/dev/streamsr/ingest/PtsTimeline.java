package dev.streamsr.ingest;

import dev.streamsr.frame.Fps;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stream's presentation timeline: the source's timestamps as they are, continued without a gap
 * across the loops of a looped file, and strictly increasing for video. Audio reads it from its
 * streaming thread while video advances it, hence the atomics.
 */
final class PtsTimeline {
    private static final long NO_BASE = Long.MIN_VALUE;

    private volatile long offset;
    /** Raw PTS where the current loop started (its first buffer, video or audio); unset on the first play. */
    private final AtomicLong loopBase = new AtomicLong(NO_BASE);
    private volatile boolean looping;
    private long lastVideo = -1;
    private long frameNanos;

    /** The rate the source's caps give; an unknown rate keeps the last known frame duration. */
    void rate(Fps fps) {
        if (fps.known()) {
            frameNanos = 1_000_000_000L * fps.den() / fps.num();
        }
    }

    /** A buffer's PTS on the stream's timeline: as the source says, or continued across loops of a file. */
    long at(long rawPts) {
        if (!looping) {
            return rawPts + offset;
        }
        loopBase.compareAndSet(NO_BASE, rawPts);
        return rawPts - loopBase.get() + offset;
    }

    /**
     * The PTS of the next video frame: a missing timestamp continues from the last frame, and a
     * repeated or earlier one (live sources after a hiccup) moves on by a frame.
     */
    long video(long rawPts) {
        long pts = rawPts < 0 ? (lastVideo < 0 ? 0 : lastVideo + frameNanos) : at(rawPts);
        if (pts <= lastVideo) {
            pts = lastVideo + Math.max(1, frameNanos);
        }
        lastVideo = pts;
        return pts;
    }

    /**
     * The file starts again: its next loop begins right after the last frame, whatever PTS the
     * file itself starts at (MPEG-TS files start at 0.125 s or later: without this every loop left a gap).
     */
    void nextLoop() {
        offset = lastVideo + frameNanos;
        loopBase.set(NO_BASE);
        looping = true;
    }
}
