package dev.streamsr.ingest;

import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.kafka.FrameLimits;
import java.time.Duration;

/**
 * How every stream is ingested. {@code maxInputSize} null keeps the source size; {@code maxRetries}
 * negative retries a live source forever. {@code audio} forwards the source's audio to
 * {@code streamsr.audio}. {@code liveBufferFrames}: how many frames of a live source wait for an
 * unavailable broker before the oldest are dropped.
 */
public record IngestSettings(
        FrameSize maxInputSize,
        FrameFormat format,
        FrameLimits limits,
        Duration initialBackoff,
        Duration maxBackoff,
        int maxRetries,
        Duration stallTimeout,
        boolean audio,
        int liveBufferFrames) {

    public IngestSettings {
        if (liveBufferFrames < 1) {
            throw new IllegalArgumentException("the live buffer must hold at least one frame");
        }
        if (!format.isRaw()) {
            throw new IllegalArgumentException("ingest format must be RGB or I420, got " + format);
        }
    }

    public static IngestSettings defaults() {
        return new IngestSettings(null, FrameFormat.RGB, FrameLimits.defaults(),
                Duration.ofMillis(500), Duration.ofSeconds(30), -1, Duration.ofSeconds(10), true, 150);
    }

    public IngestSettings withMaxInputSize(FrameSize size) {
        return new IngestSettings(size, format, limits, initialBackoff, maxBackoff, maxRetries, stallTimeout, audio, liveBufferFrames);
    }

    public IngestSettings withRetries(int retries, Duration initial, Duration max) {
        return new IngestSettings(maxInputSize, format, limits, initial, max, retries, stallTimeout, audio, liveBufferFrames);
    }

    public IngestSettings withAudio(boolean forward) {
        return new IngestSettings(maxInputSize, format, limits, initialBackoff, maxBackoff, maxRetries, stallTimeout, forward, liveBufferFrames);
    }

    public IngestSettings withLiveBuffer(int frames) {
        return new IngestSettings(maxInputSize, format, limits, initialBackoff, maxBackoff, maxRetries, stallTimeout, audio, frames);
    }
}
