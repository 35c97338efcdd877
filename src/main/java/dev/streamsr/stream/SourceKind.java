package dev.streamsr.stream;

import dev.streamsr.frame.Tuning;

/** The kinds of source ingest understands, each with its pipeline template in {@code pipelines/}. */
public enum SourceKind {
    FILE("source-file", false),
    TEST("source-test", false),
    RTSP("source-rtsp", true),
    SRT("source-srt", true),
    UDP("source-udp", true),
    HLS("source-hls", true),
    RTMP("source-rtmp", true);

    private final String template;
    private final boolean live;

    SourceKind(String template, boolean live) {
        this.template = template;
        this.live = live;
    }

    public String template() {
        return template;
    }

    /** Live sources drop frames rather than lag, and are reconnected when they fail. */
    public boolean live() {
        return live;
    }

    /**
     * The model a stream of this kind gets under {@code "model": "auto"}: an RTSP source is a camera
     * (surveillance feeds); RTMP, SRT, HLS and UDP carry live streams encoded for delivery; a file or
     * a test source could be either, and gets the upscaler's default (null), the model trained on both.
     */
    public Tuning usualTuning() {
        return switch (this) {
            case RTSP -> Tuning.CAMERA;
            case RTMP, SRT, HLS, UDP -> Tuning.STREAM;
            case FILE, TEST -> null;
        };
    }
}
