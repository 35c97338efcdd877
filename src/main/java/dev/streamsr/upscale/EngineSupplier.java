package dev.streamsr.upscale;

import dev.streamsr.engine.Engine;

/**
 * Gives each Kafka Streams thread its engine. Engines and their buffers are not thread-safe,
 * and one engine per thread is shared by all the tasks (partitions) that thread runs.
 */
@FunctionalInterface
public interface EngineSupplier {
    Engine forCurrentThread();
}
