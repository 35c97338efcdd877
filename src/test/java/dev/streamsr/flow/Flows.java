package dev.streamsr.flow;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.OnnxRuntimeEngine;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Engines the flow tests share. */
public final class Flows {
    public static final Supplier<Engine> BICUBIC = () -> new OnnxRuntimeEngine(Path.of("models/bicubic-x4.onnx"), 1);

    private Flows() {
    }
}
