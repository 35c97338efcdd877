package dev.streamsr.media;

/** One encoded H.264 access unit in byte-stream format. */
public record AccessUnit(byte[] data, boolean keyframe) {
}
