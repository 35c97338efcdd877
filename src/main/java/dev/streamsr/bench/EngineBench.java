package dev.streamsr.bench;

import dev.streamsr.cli.FrameSizeConverter;
import dev.streamsr.engine.Backend;
import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.EngineConfig;
import dev.streamsr.engine.Engines;
import dev.streamsr.frame.FrameSize;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Engine benchmark: ms per frame, frames/s and Java heap bytes allocated per frame for each model and LR size,",
                "with the latent fed back frame to frame as the upscaler does, and the ratio against the bicubic baseline."})
final class EngineBench implements Callable<Integer> {
    @Option(names = "--models", paramLabel = "MODEL", split = ",", defaultValue = "auto,bicubic-x4", description = "Models to compare. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--sizes", paramLabel = "WxH", split = ",", defaultValue = "320x180", converter = FrameSizeConverter.class,
            description = "LR sizes (output is 4x). Default: ${DEFAULT-VALUE}.")
    List<FrameSize> sizes;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "200", description = "Timed frames per case. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "Untimed frames first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0 = every core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--batches", paramLabel = "VALUE", split = ",", defaultValue = "1", description = "Batch sizes (frames per engine call). Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    @Option(names = "--engine", paramLabel = "auto|onnxruntime|tensorrt", defaultValue = "auto", description = "Backend: auto, tensorrt or onnxruntime. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Override
    public Integer call() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Every model is checked before the first is timed: a typo in the last one fails now, not minutes in.
        List<Path> files = models.stream().map(m -> Engines.requireModel(m, Backend.parse(backend))).toList();
        System.out.printf("%d cores, %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"));
        System.out.printf("%-12s %-20s %-20s %6s %10s %10s %14s%n", "backend", "model", "size", "batch", "ms/frame", "frames/s", "heap B/frame");
        for (FrameSize size : sizes) {
          for (int batch : batches) {
            double bicubicMs = Double.NaN;
            double[] results = new double[models.size()];
            for (int i = 0; i < models.size(); i++) {
                Path file = files.get(i);
                EngineConfig config = new EngineConfig(Backend.parse(backend), file, threads, Path.of(System.getProperty("java.io.tmpdir"), "streamsr-plans"),
                        List.of(size), Math.max(8, batch), true);
                try (Engine engine = Engines.open(config)) {
                    EngineBuffers b = engine.buffers(batch, size.height(), size.width());
                    byte[] frame = new byte[b.frameBytes()];
                    new Random(1).nextBytes(frame);
                    for (int k = 0; k < batch; k++) {
                        b.lr().put(k * b.frameBytes(), frame);
                        b.prevLr().put(k * b.frameBytes(), frame);
                    }
                    for (int f = 0; f < warmup; f++) {
                        engine.run(b);
                        b.swapLatents();
                    }
                    long tid = Thread.currentThread().threadId();
                    long alloc0 = mx.getThreadAllocatedBytes(tid);
                    long t0 = System.nanoTime();
                    for (int f = 0; f < frames; f++) {
                        engine.run(b);
                        b.swapLatents();
                    }
                    long t1 = System.nanoTime();
                    long alloc = mx.getThreadAllocatedBytes(tid) - alloc0;
                    double ms = (t1 - t0) / 1e6 / frames / batch;
                    results[i] = ms;
                    if (engine.model().name().startsWith("bicubic")) {
                        bicubicMs = ms;
                    }
                    System.out.printf("%-12s %-20s %-20s %6d %10.2f %10.1f %14d%n", engine.backend(), engine.model().name(),
                            size + "->" + size.scaled(4), batch, ms, 1000 / ms, alloc / frames / batch);
                }
            }
            if (!Double.isNaN(bicubicMs)) {
                for (int i = 0; i < models.size(); i++) {
                    System.out.printf("  %s, batch %d: %.2fx the bicubic time%n", models.get(i), batch, results[i] / bicubicMs);
                }
            }
          }
        }
        return 0;
    }
}
