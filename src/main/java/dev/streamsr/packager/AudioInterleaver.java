package dev.streamsr.packager;

import dev.streamsr.frame.AudioFrame;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayDeque;

/**
 * A stream's audio beside its upscaled video: audio arrives ahead of the video (the upscaler takes
 * time), waits here, and goes to the muxer just ahead of the video it belongs with.
 */
final class AudioInterleaver {
    /** Audio is given to the muxer up to this far ahead of the last video frame. */
    static final long LEAD_NS = 500_000_000L;
    /** Video this far past the last audio, with none waiting, means the source stopped sending audio. */
    static final long GAP_NS = 1_000_000_000L;
    /** Audio frames held while the video is behind (~20 s of 48 kHz AAC); older ones are dropped. */
    private static final int MAX_WAITING = 1_000;

    private final ArrayDeque<AudioFrame> waiting = new ArrayDeque<>();
    private final Counter muxed;
    private final Counter dropped;
    /** Also gets every frame the muxer took: the restream, which follows the same timeline. */
    private final java.util.function.Consumer<AudioFrame> muxedTo;

    AudioInterleaver(Counter muxed, Counter dropped, java.util.function.Consumer<AudioFrame> muxedTo) {
        this.muxed = muxed;
        this.dropped = dropped;
        this.muxedTo = muxedTo;
    }

    /** Audio arrived; a writer that muxes audio gets what is due at once. */
    void offer(AudioFrame a, HlsWriter writer) {
        if (waiting.size() >= MAX_WAITING) {
            waiting.pollFirst();
            dropped.increment();
        }
        waiting.addLast(a);
        if (writer != null && writer.hasAudio()) {
            feed(writer, writer.lastSourcePts() + LEAD_NS);
        }
    }

    /** True when audio waits that belongs at or after {@code pts}: a writer without an audio branch should get one. */
    boolean waitingFrom(long pts) {
        AudioFrame last = waiting.peekLast();
        return last != null && last.ptsNanos() >= pts;
    }

    /**
     * After a video frame at {@code videoPts}: hands the audio due by then to the muxer, and ends
     * the audio branch when the source has stopped sending audio. True when it ended it.
     */
    boolean afterVideo(HlsWriter writer, long videoPts) {
        feed(writer, videoPts + LEAD_NS);
        if (writer.lastAudioSourcePts() < videoPts - GAP_NS && !waitingFrom(videoPts - GAP_NS)) {
            // Without this the muxer would hold the video back forever, waiting for audio that is not coming.
            writer.endAudio();
            return true;
        }
        return false;
    }

    /** Hands waiting audio up to {@code untilPts} to the muxer; what is older than the timeline is dropped. */
    private void feed(HlsWriter writer, long untilPts) {
        for (AudioFrame a = waiting.peekFirst(); a != null && a.ptsNanos() <= untilPts; a = waiting.peekFirst()) {
            waiting.pollFirst();
            if (writer.pushAudio(a.payload(), a.ptsNanos(), a.durationNanos())) {
                muxed.increment();
                muxedTo.accept(a);
            } else {
                dropped.increment();
            }
        }
    }
}
