package dev.streamsr.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the model to run and opens it on a backend. */
public final class Engines {
    /** Shipped models, best first: the default is the first one present. */
    public static final List<String> PREFERENCE = List.of("streamsr-tiny-x4.onnx", "bicubic-x4.onnx");

    private Engines() {
    }

    /** The installation's models directory: {@code $STREAMSR_HOME/models}, else {@code ./models}. */
    public static Path modelsDir() {
        String home = System.getProperty("streamsr.home", System.getenv("STREAMSR_HOME"));
        return (home == null ? Path.of("") : Path.of(home)).resolve("models").toAbsolutePath();
    }

    /** {@code auto} picks the best shipped model; a bare name is looked up in the models directory. */
    public static Path resolveModel(String model) {
        if (model == null || model.isBlank() || model.equals("auto")) {
            for (String name : PREFERENCE) {
                Path p = modelsDir().resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new EngineException("no model found in " + modelsDir() + " (expected one of " + PREFERENCE + "); set --model");
        }
        Path p = Path.of(model);
        if (!Files.exists(p) && !model.contains("/")) {
            Path named = modelsDir().resolve(model.endsWith(".onnx") ? model : model + ".onnx");
            if (Files.exists(named)) {
                return named;
            }
        }
        return p;
    }

    public static Engine open(String backend, Path model, int threads) {
        return switch (backend) {
            case "auto", "onnxruntime" -> new OnnxRuntimeEngine(model, threads);
            default -> throw new EngineException("unknown engine backend '" + backend + "' (auto, onnxruntime)");
        };
    }
}
