package dev.streamsr.kafka;

/** The topic names of the data flow. */
public record Topics(String lr, String sr, String dlq) {
    public static final String LR = "streamsr.lr";
    public static final String SR = "streamsr.sr";
    public static final String DLQ = "streamsr.dlq";
    /** The stream registry: compacted, keyed by stream id, a tombstone removes a stream. */
    public static final String STREAMS = "streamsr.streams";
    /** Registry partitions: the unit in which ingest instances share streams. */
    public static final int STREAMS_PARTITIONS = 12;

    public static Topics defaults() {
        return new Topics(LR, SR, DLQ);
    }
}
