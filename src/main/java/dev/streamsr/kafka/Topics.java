package dev.streamsr.kafka;

/** The topic names of the data flow. */
public record Topics(String lr, String sr, String dlq, String audio) {
    public static final String LR = "streamsr.lr";
    public static final String SR = "streamsr.sr";
    public static final String DLQ = "streamsr.dlq";
    /** AAC frames keyed by stream, beside the video: same partition count as {@code sr}, so one packager sees both. */
    public static final String AUDIO = "streamsr.audio";
    /** The stream registry: compacted, keyed by stream id, a tombstone removes a stream. */
    public static final String STREAMS = "streamsr.streams";
    /** What each source is doing (playing, reconnecting, ...): compacted, keyed by stream id, written by ingest, read by serve. */
    public static final String STATUS = "streamsr.status";
    /**
     * Key-frame requests, keyed by stream id: a new WebRTC viewer asks the upscaler that owns the
     * stream for a key frame, so it sees a picture without waiting out the key-frame interval.
     */
    public static final String KEYFRAMES = "streamsr.keyframes";
    /** Registry partitions: the unit in which ingest instances share streams. */
    public static final int STREAMS_PARTITIONS = 12;

    public static Topics defaults() {
        return new Topics(LR, SR, DLQ, AUDIO);
    }

    /** Topics of their own under a prefix: tests and benchmarks that share a broker. */
    public static Topics prefixed(String prefix) {
        return new Topics(prefix + ".lr", prefix + ".sr", prefix + ".dlq", prefix + ".audio");
    }
}
