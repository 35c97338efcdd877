package dev.streamsr.cli;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.Engines;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.upscale.UpscaleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** Options of the upscale role, shared by {@code upscale} and {@code demo}. */
public final class UpscaleOptions {
    enum State { memory, changelog }

    @Option(names = "--model", defaultValue = "auto",
            description = "ONNX model file or shipped model name; auto picks the best model in the models directory. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--engine", defaultValue = "auto", description = "Engine backend: auto or onnxruntime. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--engine-threads", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0 uses every core. Default: ${DEFAULT-VALUE}.")
    int engineThreads;

    @Option(names = "--state", defaultValue = "memory",
            description = "Latent cache: memory, or changelog so an instance that takes over a stream keeps its history. Default: ${DEFAULT-VALUE}.")
    State state;

    @Option(names = "--application-id", defaultValue = "streamsr-upscale", description = "Kafka Streams application id. Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--stream-threads", defaultValue = "1", description = "Kafka Streams threads, each with its own engine. Default: ${DEFAULT-VALUE}.")
    int streamThreads;

    @Option(names = "--commit-interval", defaultValue = "PT0.1S", description = "Transaction commit interval; lower means lower latency. Default: ${DEFAULT-VALUE}.")
    Duration commitInterval;

    @Option(names = "--at-least-once", description = "Use at-least-once instead of exactly_once_v2 (a crash may then duplicate output frames).")
    boolean atLeastOnce;

    @Option(names = "--encoder-preset", defaultValue = "ultrafast", description = "x264 speed preset. Default: ${DEFAULT-VALUE}.")
    String encoderPreset;

    @Option(names = "--encoder-quality", defaultValue = "21", description = "x264 constant quality, 0 (lossless) to 50. Default: ${DEFAULT-VALUE}.")
    int encoderQuality;

    @Option(names = "--encoder-threads", defaultValue = "2", description = "x264 threads per stream. Default: ${DEFAULT-VALUE}.")
    int encoderThreads;

    @Option(names = "--segment-duration", defaultValue = "2",
            description = "HLS segment duration in seconds; the key-frame interval follows it. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds;

    public EncoderSettings encoder() {
        return new EncoderSettings(encoderPreset, encoderQuality, encoderThreads, segmentSeconds);
    }

    public UpscaleSettings settings() {
        return new UpscaleSettings(applicationId, state == State.changelog, !atLeastOnce, streamThreads, commitInterval, encoder());
    }

    public Supplier<Engine> engineFactory() {
        Path file = Engines.resolveModel(model);
        return () -> Engines.open(engine, file, engineThreads);
    }
}
