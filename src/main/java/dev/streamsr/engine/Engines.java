package dev.streamsr.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the model to run and opens it on a backend. */
public final class Engines {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Engines.class);
    /**
     * Shipped models, best first, for each kind of backend: the default is the first one present.
     * On CPU the int8 export comes first (ONNX Runtime's int8 kernels run it at the cost of a graph
     * 2.5x narrower; its 7-bit weights keep them exact on CPUs without VNNI, where 8-bit ones would
     * saturate); TensorRT builds the float graph itself, since its Q/DQ wants signed int8
     * activations and the CPU export's are unsigned.
     */
    public static final List<String> PREFERENCE = List.of("streamsr-recurrent-x4-int8.onnx", "streamsr-tiny-x4.onnx", "bicubic-x4.onnx");
    public static final List<String> GPU_PREFERENCE = List.of("streamsr-recurrent-x4.onnx", "streamsr-tiny-x4.onnx", "bicubic-x4.onnx");

    private Engines() {
    }

    /** The installation's models directory: {@code $STREAMSR_HOME/models}, else {@code ./models}. */
    public static Path modelsDir() {
        String home = System.getProperty("streamsr.home", System.getenv("STREAMSR_HOME"));
        return (home == null ? Path.of("") : Path.of(home)).resolve("models").toAbsolutePath();
    }

    /** {@code auto} picks the best shipped model for ONNX Runtime; a bare name is looked up in the models directory. */
    public static Path resolveModel(String model) {
        return resolveModel(model, Backend.ONNXRUNTIME);
    }

    /** As {@link #resolveModel(String)}, with {@code auto} picking for the backend that will run it. */
    public static Path resolveModel(String model, Backend backend) {
        if (isAuto(model)) {
            List<String> preference = gpu(backend) ? GPU_PREFERENCE : PREFERENCE;
            for (String name : preference) {
                Path p = modelsDir().resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new EngineException("no model found in " + modelsDir() + " (expected one of " + preference + "); set --model");
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

    public static boolean isAuto(String model) {
        return model == null || model.isBlank() || model.equals("auto");
    }

    private static boolean gpu(Backend backend) {
        return backend == Backend.TENSORRT
                || backend == Backend.AUTO && EngineSelection.choose(Backend.AUTO, TensorRt::unavailable).backend() == Backend.TENSORRT;
    }

    /**
     * The shipped model tuned for {@code tuning} on this backend, if there is one: {@code
     * streamsr-recurrent-x4-<tuning>-int8.onnx} for ONNX Runtime, the float {@code
     * streamsr-recurrent-x4-<tuning>.onnx} for TensorRT (as {@link #GPU_PREFERENCE} says why).
     */
    public static java.util.Optional<Path> tunedModel(dev.streamsr.frame.Tuning tuning, Backend backend) {
        Path p = modelsDir().resolve("streamsr-recurrent-x4-" + tuning.id() + (gpu(backend) ? "" : "-int8") + ".onnx");
        return Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
    }

    /**
     * The model a role will run, checked before anything else starts: it exists, and ONNX Runtime
     * loads it and finds the engine contract. A bad --model is one clear error at start-up, not a
     * stream thread failing over and over later.
     */
    public static Path requireModel(String model) {
        return requireModel(model, Backend.ONNXRUNTIME);
    }

    public static Path requireModel(String model, Backend backend) {
        Path p = resolveModel(model, backend);
        if (!Files.isRegularFile(p)) {
            List<String> shipped = new java.util.ArrayList<>();
            try (var files = Files.list(modelsDir())) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted()
                        .forEach(n -> shipped.add(n.substring(0, n.length() - ".onnx".length())));
            } catch (java.io.IOException e) {
                // No models directory: say so below.
            }
            throw new EngineException("model '" + model + "' not found: no file " + p + (model.contains("/") ? ""
                    : " and no " + modelsDir().resolve(model.endsWith(".onnx") ? model : model + ".onnx"))
                    + (shipped.isEmpty() ? "" : "; shipped models: " + String.join(", ", shipped) + " (or auto)"));
        }
        OnnxRuntimeEngine.readModelInfo(p);
        return p;
    }

    public static Engine open(String backend, Path model, int threads) {
        return open(new EngineConfig(Backend.parse(backend), model, threads, Path.of(System.getProperty("java.io.tmpdir"), "streamsr-plans"),
                List.of(new dev.streamsr.frame.FrameSize(320, 180)), 1, true));
    }

    /**
     * Opens the backend {@link EngineSelection} picks. Under {@code auto}, a TensorRT engine that
     * fails to build falls back to ONNX Runtime with an error line, so a bad GPU node still serves.
     */
    public static Engine open(EngineConfig config) {
        EngineSelection.Choice choice = EngineSelection.choose(config.backend());
        if (choice.backend() == Backend.TENSORRT) {
            try {
                return new TensorRtEngine(config.model(), new PlanCache(config.planCache()), config.sizes(), config.maxBatch(), config.fp16());
            } catch (RuntimeException | LinkageError e) {
                if (config.backend() != Backend.AUTO) {
                    throw e;
                }
                log.error("engine auto: TensorRT failed to start ({}); falling back to onnxruntime", e.toString());
            }
        }
        return new OnnxRuntimeEngine(config.model(), config.threads());
    }
}
