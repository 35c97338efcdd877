package dev.streamsr.media;

import dev.streamsr.frame.Fps;
/**
 * x264 settings. {@code quality} is the constant-quality quantizer (lower is better, 18 is close
 * to transparent); {@code segmentSeconds} sets the key-frame interval so HLS segments can be cut
 * on time.
 */
public record EncoderSettings(String speedPreset, int quality, int threads, double segmentSeconds) {
    public EncoderSettings {
        if (quality < 0 || quality > 50) {
            throw new IllegalArgumentException("encoder quality must be 0..50, got " + quality);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("encoder threads must be at least 1");
        }
        if (!speedPreset.matches("[a-z]+")) {
            throw new IllegalArgumentException("bad x264 speed preset '" + speedPreset + "'");
        }
    }

    public static EncoderSettings defaults() {
        return new EncoderSettings("ultrafast", 21, 2, 2.0);
    }

    /** Frames between key frames: one segment's worth at the stream's rate, at least 1. */
    public int keyIntFrames(Fps fps) {
        return Math.max(1, (int) Math.round(fps.known() ? fps.perSecond() * segmentSeconds : 30 * segmentSeconds));
    }
}
