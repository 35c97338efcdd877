package dev.streamsr.ingest;

import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;

/** Where ingested frames go: Kafka in production, a list in unit tests. */
public interface FrameSink {
    /** May block to apply back-pressure to the source. */
    void publish(Frame frame);

    void end(EndOfStream end);
}
