package dev.streamsr.frame;

/**
 * One compressed audio frame on {@code streamsr.audio}: AAC with its ADTS header, so the record is
 * self-describing (rate, channels, profile) and is muxed as it is, never re-encoded. PTS share the
 * timeline of the stream's video frames, which is what keeps the two in sync after upscaling.
 */
public record AudioFrame(StreamId stream, long ptsNanos, long durationNanos, long ingestNanos, byte[] payload) {
    /** Value of {@code streamsr.format} on audio records. */
    public static final String FORMAT = "AAC";
}
