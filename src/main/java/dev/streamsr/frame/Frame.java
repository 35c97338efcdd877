package dev.streamsr.frame;

/**
 * One record of the contract: a raw LR frame on {@code streamsr.lr} or an H.264 access unit on
 * {@code streamsr.sr}. Metadata travels in headers ({@link FrameHeaders}); the payload is the value.
 * {@code live}: the source produces frames in real time (a camera, a looped file), so a frame that
 * waited too long may be skipped to stay live; a file's frames never are. {@code tuning}: the model
 * the stream asks for ({@link Tuning}); null for the upscaler's default.
 */
public record Frame(
        StreamId stream,
        long seq,
        long ptsNanos,
        int width,
        int height,
        FrameFormat format,
        boolean keyframe,
        long ingestNanos,
        Fps fps,
        byte[] payload,
        boolean live,
        Tuning tuning) {

    public Frame(StreamId stream, long seq, long ptsNanos, int width, int height, FrameFormat format, boolean keyframe,
                 long ingestNanos, Fps fps, byte[] payload, boolean live) {
        this(stream, seq, ptsNanos, width, height, format, keyframe, ingestNanos, fps, payload, live, null);
    }

    /** A frame of a source that is not live (a file read as fast as it goes). */
    public Frame(StreamId stream, long seq, long ptsNanos, int width, int height, FrameFormat format, boolean keyframe,
                 long ingestNanos, Fps fps, byte[] payload) {
        this(stream, seq, ptsNanos, width, height, format, keyframe, ingestNanos, fps, payload, false);
    }

    public FrameSize size() {
        return new FrameSize(width, height);
    }

    public Frame withPayload(FrameFormat newFormat, int newWidth, int newHeight, boolean isKeyframe, byte[] newPayload) {
        return new Frame(stream, seq, ptsNanos, newWidth, newHeight, newFormat, isKeyframe, ingestNanos, fps, newPayload, live, tuning);
    }
}
