package dev.streamsr.frame;

/**
 * One record of the contract: a raw LR frame on {@code streamsr.lr} or an H.264 access unit on
 * {@code streamsr.sr}. Metadata travels in headers ({@link FrameHeaders}); the payload is the value.
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
        String fps,
        byte[] payload) {

    public FrameSize size() {
        return new FrameSize(width, height);
    }

    public Frame withPayload(FrameFormat newFormat, int newWidth, int newHeight, boolean isKeyframe, byte[] newPayload) {
        return new Frame(stream, seq, ptsNanos, newWidth, newHeight, newFormat, isKeyframe, ingestNanos, fps, newPayload);
    }
}
