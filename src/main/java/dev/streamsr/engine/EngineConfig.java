package dev.streamsr.engine;

import dev.streamsr.frame.FrameSize;
import java.nio.file.Path;
import java.util.List;

/**
 * How to open an engine: the backend asked for, the model, ONNX Runtime's threads, and for
 * TensorRT the plan cache, the LR sizes its profile covers, the largest batch and FP16.
 */
public record EngineConfig(Backend backend, Path model, int threads, Path planCache, List<FrameSize> sizes, int maxBatch, boolean fp16) {
}
