package dev.streamsr.frame;

/** Why a record broke the contract; the {@code reason} is a short machine-readable code. */
public record ContractViolation(String reason, String detail) {
    public static final String BAD_KEY = "bad-key";
    public static final String MISSING_HEADER = "missing-header";
    public static final String BAD_HEADER = "bad-header";
    public static final String UNKNOWN_FORMAT = "unknown-format";
    public static final String WRONG_PAYLOAD_SIZE = "wrong-payload-size";
    public static final String UNSUPPORTED_FORMAT = "unsupported-format";
    public static final String PROCESSING_FAILED = "processing-failed";
    /** A frame larger than {@code --max-frame-size}, refused by every role that accepts frames. */
    public static final String OVERSIZE = "oversize";
    public static final java.util.List<String> REASONS = java.util.List.of(BAD_KEY, MISSING_HEADER, BAD_HEADER,
            UNKNOWN_FORMAT, WRONG_PAYLOAD_SIZE, UNSUPPORTED_FORMAT, PROCESSING_FAILED, OVERSIZE);

    @Override
    public String toString() {
        return reason + ": " + detail;
    }
}
