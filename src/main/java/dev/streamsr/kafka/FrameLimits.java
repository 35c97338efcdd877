package dev.streamsr.kafka;

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

    /** True when a raw frame of this size fits under the configured maximum. */
    public boolean allows(int width, int height) {
        return (long) width * height <= maxFrame.pixels() && width <= 65_535 && height <= 65_535;
    }
}
