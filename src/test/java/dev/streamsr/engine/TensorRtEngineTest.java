package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs an NVIDIA GPU with CUDA and TensorRT 10 libraries; skipped with the reason elsewhere. */
class TensorRtEngineTest {
    @TempDir
    Path tmp;

    @Test
    void tensorRtMatchesOnnxRuntimeAndReusesItsPlan() throws Exception {
        TensorRt.unavailable().ifPresent(why -> Assumptions.abort("no TensorRT here: " + why));
        Path model = Path.of("models/streamsr-tiny-x4.onnx");
        FrameSize size = new FrameSize(64, 48);
        byte[] frame = new byte[size.width() * size.height() * 3];
        new Random(3).nextBytes(frame);
        byte[] expected;
        try (OnnxRuntimeEngine cpu = new OnnxRuntimeEngine(model, 1)) {
            EngineBuffers b = cpu.buffers(1, size.height(), size.width());
            b.lr().put(0, frame);
            b.prevLr().put(0, frame);
            cpu.run(b);
            expected = new byte[b.srBytes()];
            b.sr().get(0, expected);
        }
        PlanCache cache = new PlanCache(tmp);
        for (int round = 0; round < 2; round++) {
            try (TensorRtEngine gpu = new TensorRtEngine(model, cache, List.of(size), 4, true)) {
                EngineBuffers b = gpu.buffers(1, size.height(), size.width());
                b.lr().put(0, frame);
                b.prevLr().put(0, frame);
                gpu.run(b);
                int worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs((expected[i] & 0xff) - (b.sr().get(i) & 0xff)));
                }
                assertTrue(worst <= 3, "FP16 TensorRT differs from ONNX Runtime by " + worst + " levels");
            }
        }
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "one plan and one timing cache, reused on the second round");
        }
    }
}
