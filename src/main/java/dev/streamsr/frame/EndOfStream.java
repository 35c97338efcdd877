package dev.streamsr.frame;

/**
 * The marker record that closes a stream: downstream roles flush and finalise (VOD playlist) when
 * they see it. {@code frames} is the number of frames the stream carried, so it also equals the
 * seq the next frame would have had.
 */
public record EndOfStream(StreamId stream, long frames, long ingestNanos) {
}
