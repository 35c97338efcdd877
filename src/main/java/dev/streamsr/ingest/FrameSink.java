package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;

/** Where ingested frames go: Kafka in production, a list in unit tests. */
public interface FrameSink {
    /** May block to apply back-pressure to the source. */
    void publish(Frame frame);

    /** Called from a GStreamer streaming thread; must not block for long. */
    default void audio(AudioFrame audio) {
    }

    void end(EndOfStream end);
}
