package dev.streamsr.kafka;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameSize;

/**
 * The largest frame the system accepts, and the byte limits derived from it. Every Kafka limit
 * (broker, topic, producer, consumer, Streams changelog) is set from {@link #maxRecordBytes()} so
 * that a frame that passes {@link #check} can never be lost to a size limit inside the client.
 */
public record FrameLimits(FrameSize maxFrame) {
    public static final FrameSize DEFAULT_MAX_FRAME = new FrameSize(1920, 1080);
    /** Room for headers, batch overhead and the float32 latent (4 channels at stride 2) in the changelog. */
    private static final long LATENT_BYTES_PER_PIXEL = 4;
    private static final long OVERHEAD = 1L << 20;

    public static FrameLimits defaults() {
        return new FrameLimits(DEFAULT_MAX_FRAME);
    }

    public long maxFrameBytes() {
        return FrameFormat.RGB.payloadBytes(maxFrame.width(), maxFrame.height());
    }

    /** The record size limit used everywhere: the largest RGB frame plus its cached latent. */
    public int maxRecordBytes() {
        long bytes = maxFrameBytes() + LATENT_BYTES_PER_PIXEL * maxFrame.pixels() + OVERHEAD;
        return (int) Math.min(Integer.MAX_VALUE - 1, bytes);
    }

    /**
     * True when a raw frame of this size fits under the configured maximum: no more pixels, and no
     * side longer than its longer side (so a portrait camera of the same size is allowed).
     */
    public boolean allows(int width, int height) {
        int longest = Math.max(maxFrame.width(), maxFrame.height());
        return (long) width * height <= maxFrame.pixels() && width <= longest && height <= longest;
    }

    /**
     * What every role that accepts a raw frame checks, not only ingest: within the maximum, and
     * even sides (4:2:0 chroma and the H.264 encoder need them; ingest only ever produces even sizes).
     */
    public java.util.Optional<ContractViolation> check(Frame frame) {
        if (!frame.format().isRaw()) {
            return java.util.Optional.empty();
        }
        if (!allows(frame.width(), frame.height())) {
            return java.util.Optional.of(new ContractViolation(ContractViolation.OVERSIZE, "frame " + frame.width() + "x" + frame.height()
                    + " exceeds the largest allowed frame " + maxFrame + " (--max-frame-size)"));
        }
        if (frame.width() % 2 != 0 || frame.height() % 2 != 0) {
            return java.util.Optional.of(new ContractViolation(ContractViolation.BAD_HEADER, "frame " + frame.width() + "x" + frame.height()
                    + " has an odd side; raw frames have even width and height"));
        }
        return java.util.Optional.empty();
    }
}
