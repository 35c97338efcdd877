package dev.streamsr.cli;

import dev.streamsr.engine.Backend;
import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineConfig;
import dev.streamsr.engine.EngineSelection;
import dev.streamsr.engine.Engines;
import dev.streamsr.engine.TensorRt;
import dev.streamsr.frame.Tuning;
import dev.streamsr.upscale.EngineFactories;
import java.util.EnumMap;
import java.util.Map;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.upscale.UpscaleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** Options of the upscale role, shared by {@code upscale} and {@code demo}. */
public final class UpscaleOptions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpscaleOptions.class);
    enum State { memory, changelog }

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "auto",
            description = {"ONNX model file or shipped model name; auto picks the best model in the models directory for the backend,",
                    "and streams that ask for a model tuned for cameras or live streams (their \"model\") get it where it is shipped.",
                    "A named model serves every stream. Default: ${DEFAULT-VALUE}."})
    String model;

    @Option(names = "--engine", paramLabel = "auto|onnxruntime|tensorrt", defaultValue = "auto",
            description = "Engine backend: auto (TensorRT where a CUDA device and TensorRT load, else ONNX Runtime), tensorrt or onnxruntime. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "0",
            description = "Most frames (of different streams) per engine call; 0 = auto: 8 on TensorRT, 1 on ONNX Runtime, where batching measured no faster. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--batch-window", paramLabel = "DURATION", defaultValue = "2ms",
            description = "How long a frame waits for frames of other streams to share its engine call; 0s disables batching. Default: ${DEFAULT-VALUE}.")
    Duration batchWindow;

    @Option(names = "--max-lag", paramLabel = "DURATION", defaultValue = "1s",
            description = {"Keeps live streams live when the engine cannot keep up: their frames that waited longer than this since ingest are skipped (reason max-lag),",
                    "and frames behind are shared in turn between the streams (reason fair-share). Files are never skipped; 0s never skips. Default: ${DEFAULT-VALUE}."})
    Duration maxLag;

    @Option(names = "--engine-sizes", paramLabel = "WxH", split = ",", defaultValue = "640x360,160x90,1280x720", converter = FrameSizeConverter.class,
            description = "LR sizes the TensorRT profile covers: the first is what it is tuned for, the range spans the smallest to the largest. Default: ${DEFAULT-VALUE}.")
    List<FrameSize> engineSizes;

    @Option(names = "--plan-cache", paramLabel = "DIR",
            description = "Where TensorRT plans and timing caches are kept between runs. Default: .cache/plans in the installation directory (beside models/).")
    Path planCache;

    @Option(names = "--engine-threads", paramLabel = "N", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0 uses every core. Default: ${DEFAULT-VALUE}.")
    int engineThreads;

    @Option(names = "--state", paramLabel = "memory|changelog", defaultValue = "memory",
            description = "Latent cache: memory, or changelog so an instance that takes over a stream keeps its history. Default: ${DEFAULT-VALUE}.")
    State state;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = "streamsr-upscale", description = "Kafka Streams application id. Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "1", description = "Kafka Streams threads, each with its own engine. Default: ${DEFAULT-VALUE}.")
    int streamThreads;

    @Option(names = "--commit-interval", paramLabel = "DURATION", defaultValue = "100ms", description = "Transaction commit interval; lower means lower latency. Default: ${DEFAULT-VALUE}.")
    Duration commitInterval;

    @Option(names = "--at-least-once", description = "Use at-least-once instead of exactly_once_v2 (a crash may then duplicate output frames).")
    boolean atLeastOnce;

    @Option(names = "--encoder-preset", paramLabel = "PRESET", defaultValue = "ultrafast", description = "x264 speed preset. Default: ${DEFAULT-VALUE}.")
    String encoderPreset;

    @Option(names = "--encoder-quality", paramLabel = "N", defaultValue = "21", description = "x264 constant quality, 0 (lossless) to 50. Default: ${DEFAULT-VALUE}.")
    int encoderQuality;

    @Option(names = "--encoder-threads", paramLabel = "N", defaultValue = "2", description = "x264 threads per stream. Default: ${DEFAULT-VALUE}.")
    int encoderThreads;

    @Option(names = "--segment-duration", paramLabel = "N", defaultValue = "2",
            description = "HLS segment duration in seconds; the key-frame interval follows it. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds;

    public EncoderSettings encoder() {
        return new EncoderSettings(encoderPreset, encoderQuality, encoderThreads, segmentSeconds);
    }

    public UpscaleSettings settings() {
        return new UpscaleSettings(applicationId, state == State.changelog, !atLeastOnce, streamThreads, commitInterval, encoder(),
                batch(), batchWindow, maxLag);
    }

    int batch() {
        if (maxBatch > 0) {
            return maxBatch;
        }
        Backend b = EngineSelection.choose(Backend.parse(engine), TensorRt::unavailable).backend();
        return b == Backend.TENSORRT ? 8 : 1;
    }

    /** Fails with one line when --model does not name a model this role can run. */
    public void checkModel() {
        Engines.requireModel(model, Backend.parse(engine));
    }

    public EngineConfig engineConfig() {
        Path cache = planCache != null ? planCache : Engines.modelsDir().getParent().resolve(".cache/plans");
        return new EngineConfig(Backend.parse(engine), Engines.resolveModel(model, Backend.parse(engine)), engineThreads, cache, engineSizes, Math.max(1, batch()), true);
    }

    public Supplier<Engine> engineFactory() {
        EngineConfig config = engineConfig();
        return () -> Engines.open(config);
    }

    /**
     * The default model and, under {@code --model auto}, the shipped models tuned for cameras and
     * for live streams, which streams ask for by their {@code model} (an explicit --model serves
     * every stream). Each is checked as {@link #checkModel()} checks the default.
     */
    public EngineFactories engineFactories() {
        EngineConfig config = engineConfig();
        Map<Tuning, Supplier<Engine>> tuned = new EnumMap<>(Tuning.class);
        if (Engines.isAuto(model)) {
            for (Tuning t : Tuning.values()) {
                Engines.tunedModel(t, Backend.parse(engine)).ifPresent(p -> {
                    Engines.requireModel(p.toString());
                    EngineConfig c = new EngineConfig(config.backend(), p, config.threads(), config.planCache(), config.sizes(), config.maxBatch(), config.fp16());
                    tuned.put(t, () -> Engines.open(c));
                    log.info("upscale: streams that ask for model {} get {}", t.id(), p.getFileName());
                });
            }
        }
        log.info("upscale: other streams get {}", config.model().getFileName());
        return new EngineFactories(() -> Engines.open(config), tuned);
    }
}
