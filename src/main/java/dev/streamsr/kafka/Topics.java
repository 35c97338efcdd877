package dev.streamsr.kafka;

/** The topic names of the data flow. */
public record Topics(String lr, String sr, String dlq) {
    public static final String LR = "streamsr.lr";
    public static final String SR = "streamsr.sr";
    public static final String DLQ = "streamsr.dlq";

    public static Topics defaults() {
        return new Topics(LR, SR, DLQ);
    }
}
