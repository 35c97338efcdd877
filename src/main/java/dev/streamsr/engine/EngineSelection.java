package dev.streamsr.engine;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backend runs: {@code auto} takes TensorRT where a CUDA device and the TensorRT libraries
 * load, else ONNX Runtime, and says which and why; an explicit {@code tensorrt} that cannot run
 * is an error that names the reason rather than a silent fallback.
 */
public final class EngineSelection {
    private static final Logger log = LoggerFactory.getLogger(EngineSelection.class);

    /** Why TensorRT cannot run here, or empty when it can. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> tensorRtUnavailable();
    }

    public record Choice(Backend backend, String reason) {
    }

    private EngineSelection() {
    }

    public static Choice choose(Backend requested, Probe probe) {
        return switch (requested) {
            case ONNXRUNTIME -> new Choice(Backend.ONNXRUNTIME, "requested");
            case TENSORRT -> {
                Optional<String> why = probe.tensorRtUnavailable();
                if (why.isPresent()) {
                    throw new EngineException("--engine tensorrt cannot run here: " + why.get() + " (use --engine auto or onnxruntime)");
                }
                yield new Choice(Backend.TENSORRT, "requested");
            }
            case AUTO -> {
                Optional<String> why = probe.tensorRtUnavailable();
                yield why.map(w -> new Choice(Backend.ONNXRUNTIME, "TensorRT unavailable: " + w))
                        .orElseGet(() -> new Choice(Backend.TENSORRT, "a CUDA device and TensorRT " + TensorRt.version() + " are present"));
            }
        };
    }

    /** Chooses with the real probe and logs the decision once per call. */
    public static Choice choose(Backend requested) {
        Choice c = choose(requested, TensorRt::unavailable);
        log.info("engine {}: {} ({})", requested.id(), c.backend().id(), c.reason());
        return c;
    }
}
