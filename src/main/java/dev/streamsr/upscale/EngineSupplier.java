package dev.streamsr.upscale;

import dev.streamsr.engine.Engine;
import dev.streamsr.frame.Tuning;

/**
 * Gives each Kafka Streams thread its engines: one for the default model and one per tuned model
 * installed. Engines and their buffers are not thread-safe, and one engine per thread and model is
 * shared by all the tasks (partitions) that thread runs.
 */
@FunctionalInterface
public interface EngineSupplier {
    /** The engine for frames that ask for {@code tuning} (null: the default); the default where that model is not installed. */
    Engine forCurrentThread(Tuning tuning);
}
