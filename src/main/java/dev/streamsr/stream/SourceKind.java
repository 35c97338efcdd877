package dev.streamsr.stream;

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

}
