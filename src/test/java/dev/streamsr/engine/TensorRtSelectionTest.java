package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be tested of the TensorRT backend without a GPU: selection, failover, plan cache keys, profiles. */
class TensorRtSelectionTest {
    @TempDir
    Path tmp;

    @Test
    void autoPicksTensorRtOnlyWhereItCanRun() {
        assertEquals(Backend.TENSORRT, EngineSelection.choose(Backend.AUTO, Optional::empty).backend());
        EngineSelection.Choice cpu = EngineSelection.choose(Backend.AUTO, () -> Optional.of("no CUDA device"));
        assertEquals(Backend.ONNXRUNTIME, cpu.backend());
        assertTrue(cpu.reason().contains("no CUDA device"), cpu.reason());
        assertEquals(Backend.ONNXRUNTIME, EngineSelection.choose(Backend.ONNXRUNTIME, Optional::empty).backend());
    }

    @Test
    void explicitTensorRtWithoutAGpuIsAClearError() {
        EngineException e = assertThrows(EngineException.class,
                () -> EngineSelection.choose(Backend.TENSORRT, () -> Optional.of("the TensorRT libraries do not load (x)")));
        assertTrue(e.getMessage().contains("--engine tensorrt cannot run here: the TensorRT libraries do not load"), e.getMessage());
        assertThrows(EngineException.class, () -> Backend.parse("cuda"));
        assertEquals(Backend.TENSORRT, Backend.parse(" TensorRT "));
    }

    @Test
    void theRealProbeFailsOverToOnnxRuntimeOnThisMachineWhenThereIsNoGpu() {
        Optional<String> why = TensorRt.unavailable();
        if (why.isPresent()) {
            // A machine without CUDA or TensorRT: auto must still open a working engine.
            try (Engine e = Engines.open(new EngineConfig(Backend.AUTO, Path.of("models/bicubic-x4.onnx"), 1, tmp, List.of(new FrameSize(64, 48)), 4, true))) {
                assertEquals("onnxruntime", e.backend());
            }
            EngineException e = assertThrows(EngineException.class, () -> Engines.open(
                    new EngineConfig(Backend.TENSORRT, Path.of("models/bicubic-x4.onnx"), 1, tmp, List.of(new FrameSize(64, 48)), 4, true)));
            assertTrue(e.getMessage().contains(why.get()), e.getMessage());
        } else {
            assertEquals(Backend.TENSORRT, EngineSelection.choose(Backend.AUTO).backend());
        }
    }

    @Test
    void planKeysChangeWithModelGpuVersionAndProfile() throws Exception {
        Profiles p = Profiles.of(List.of(new FrameSize(640, 360), new FrameSize(160, 90), new FrameSize(1280, 720)), 8, 16, 2);
        String base = PlanCache.key("a".repeat(64), "NVIDIA H100 80GB HBM3", "10.12.0", p, true);
        assertEquals("aaaaaaaaaaaaaaaa-nvidia-h100-80gb-hbm3-trt10.12.0-b8-160x90-640x360-1280x720-fp16", base);
        assertNotEquals(base, PlanCache.key("b".repeat(64), "NVIDIA H100 80GB HBM3", "10.12.0", p, true));
        assertNotEquals(base, PlanCache.key("a".repeat(64), "NVIDIA H200", "10.12.0", p, true));
        assertNotEquals(base, PlanCache.key("a".repeat(64), "NVIDIA H100 80GB HBM3", "10.13.0", p, true));
        assertNotEquals(base, PlanCache.key("a".repeat(64), "NVIDIA H100 80GB HBM3", "10.12.0",
                Profiles.of(List.of(new FrameSize(640, 360)), 8, 16, 2), true));
        assertNotEquals(base, PlanCache.key("a".repeat(64), "NVIDIA H100 80GB HBM3", "10.12.0", p, false));

        Path model = tmp.resolve("m.onnx");
        Files.write(model, new byte[] {1, 2, 3});
        String h1 = PlanCache.sha256(model);
        assertEquals("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", h1);
        Files.write(model, new byte[] {1, 2, 4});
        assertNotEquals(h1, PlanCache.sha256(model));
    }

    @Test
    void plansAreWrittenWholeAndReadBack() {
        PlanCache cache = new PlanCache(tmp.resolve("plans"));
        Path plan = cache.plan("k");
        assertFalse(cache.read(plan).isPresent());
        cache.write(plan, new byte[] {7, 8, 9});
        assertArrayEquals(new byte[] {7, 8, 9}, cache.read(plan).orElseThrow());
        assertEquals(tmp.resolve("plans/timing-nvidia-h100-trt10.12.0.cache"), cache.timingCache("NVIDIA H100", "10.12.0"));
        assertEquals(1, tmp.resolve("plans").toFile().list().length, "no temporary file left behind");
    }

    @Test
    void profilesSpanTheConfiguredSizesAndBatches() {
        Profiles p = Profiles.of(List.of(new FrameSize(640, 360), new FrameSize(160, 90), new FrameSize(1280, 720)), 8, 16, 2);
        assertEquals(List.of(new Profiles.Dims(1, 90, 160, 3), new Profiles.Dims(8, 360, 640, 3), new Profiles.Dims(8, 720, 1280, 3)).toString(),
                p.range("lr").toString());
        assertEquals(List.of(new Profiles.Dims(1, 16, 45, 80), new Profiles.Dims(8, 16, 180, 320), new Profiles.Dims(8, 16, 360, 640)).toString(),
                p.range("prev_latent").toString());
        assertTrue(p.covers(1, 360, 640));
        assertTrue(p.covers(8, 720, 1280));
        assertFalse(p.covers(9, 360, 640));
        assertFalse(p.covers(1, 1080, 1920));
        assertThrows(EngineException.class, () -> Profiles.of(List.of(new FrameSize(161, 90)), 8, 16, 2));
        assertThrows(EngineException.class, () -> Profiles.of(List.of(), 8, 16, 2));
        assertThrows(EngineException.class, () -> p.range("sr"));
    }
}
