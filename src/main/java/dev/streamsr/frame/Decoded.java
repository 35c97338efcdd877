package dev.streamsr.frame;

/** What a Kafka record turned out to be under the contract. */
public sealed interface Decoded {
    record FrameRecord(Frame frame) implements Decoded {
    }

    record EndRecord(EndOfStream end) implements Decoded {
    }

    /** An AAC frame from {@code streamsr.audio}. */
    record AudioRecord(AudioFrame audio) implements Decoded {
    }

    /** {@code stream} is null when the key itself was the problem. */
    record Invalid(StreamId stream, ContractViolation violation) implements Decoded {
    }
}
