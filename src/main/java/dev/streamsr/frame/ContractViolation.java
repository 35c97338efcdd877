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

    @Override
    public String toString() {
        return reason + ": " + detail;
    }
}
