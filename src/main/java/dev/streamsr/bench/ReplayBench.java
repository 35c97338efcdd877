package dev.streamsr.bench;

import dev.streamsr.cli.FrameSizeConverter;
import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.Engines;
import dev.streamsr.frame.FrameSize;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Runs a model over raw RGB frames exactly as the upscaler does (previous frame and cached latent fed back),",
                "writing the SR frames raw. Used by training/eval.py to evaluate exported models through the real engine."})
final class ReplayBench implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "ONNX model file or shipped model name.")
    String model;

    @Option(names = "--size", paramLabel = "WxH", required = true, converter = FrameSizeConverter.class, description = "LR frame size WxH.")
    FrameSize size;

    @Option(names = "--in", paramLabel = "FILE", required = true, description = "Raw packed RGB LR frames, back to back.")
    Path in;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where the raw packed RGB SR frames go.")
    Path out;

    @Option(names = "--no-history", description = "Every frame as a stream's first (zero latent, prev = itself): the per-frame ablation.")
    boolean noHistory;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "Intra-op threads; 0 = every core.")
    int threads;

    @Override
    public Integer call() throws Exception {
        try (Engine engine = Engines.open("auto", Engines.requireModel(model, dev.streamsr.engine.Backend.AUTO), threads);
             InputStream src = new BufferedInputStream(Files.newInputStream(in), 1 << 20);
             OutputStream dst = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            EngineBuffers b = engine.buffers(1, size.height(), size.width());
            byte[] frame = new byte[b.frameBytes()];
            byte[] prev = new byte[b.frameBytes()];
            byte[] sr = new byte[b.srBytes()];
            byte[] zero = new byte[b.latentBytes()];
            int n = 0;
            long engineNs = 0;
            while (src.readNBytes(frame, 0, frame.length) == frame.length) {
                boolean first = n == 0 || noHistory;
                b.lr().put(0, frame);
                b.prevLr().put(0, first ? frame : prev);
                if (first) {
                    b.prevLatent().put(0, zero);
                }
                long t0 = System.nanoTime();
                engine.run(b);
                engineNs += System.nanoTime() - t0;
                b.sr().get(0, sr);
                dst.write(sr);
                b.swapLatents(); // this frame's latent becomes the next call's prev_latent
                System.arraycopy(frame, 0, prev, 0, frame.length);
                n++;
            }
            System.out.printf("%d frames %s -> %s, %.2f ms per engine call%n", n, size, size.scaled(4), n == 0 ? 0 : engineNs / 1e6 / n);
        }
        return 0;
    }
}
