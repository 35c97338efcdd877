package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file {@code --model auto} and a bare model name open, per backend. */
class EnginesTest {
    @TempDir
    Path home;

    @AfterEach
    void restore() {
        System.clearProperty("streamsr.home");
    }

    private Path models(String... names) throws Exception {
        System.setProperty("streamsr.home", home.toString());
        Path dir = Files.createDirectories(home.resolve("models"));
        for (String n : names) {
            Files.writeString(dir.resolve(n), "x");
        }
        return dir;
    }

    @Test
    void autoRunsTheInt8ExportOnTheCpuAndTheFloatGraphUnderTensorRt() throws Exception {
        Path dir = models("streamsr-recurrent-x4.onnx", "streamsr-recurrent-x4-int8.onnx", "streamsr-tiny-x4.onnx", "bicubic-x4.onnx");
        assertEquals(dir.resolve("streamsr-recurrent-x4-int8.onnx"), Engines.resolveModel("auto", Backend.ONNXRUNTIME));
        assertEquals(dir.resolve("streamsr-recurrent-x4.onnx"), Engines.resolveModel("auto", Backend.TENSORRT));
        assertEquals(dir.resolve("streamsr-recurrent-x4-int8.onnx"), Engines.resolveModel(null));
    }

    @Test
    void autoFallsBackInOrderAndSaysWhatItLookedFor() throws Exception {
        Path dir = models("streamsr-tiny-x4.onnx", "bicubic-x4.onnx");
        assertEquals(dir.resolve("streamsr-tiny-x4.onnx"), Engines.resolveModel("auto", Backend.ONNXRUNTIME));
        assertEquals(dir.resolve("streamsr-tiny-x4.onnx"), Engines.resolveModel("auto", Backend.TENSORRT));
        Files.delete(dir.resolve("streamsr-tiny-x4.onnx"));
        Files.delete(dir.resolve("bicubic-x4.onnx"));
        EngineException e = assertThrows(EngineException.class, () -> Engines.resolveModel("auto", Backend.ONNXRUNTIME));
        assertTrue(e.getMessage().contains("streamsr-recurrent-x4-int8.onnx"), e.getMessage());
    }

    @Test
    void aBareNameIsTheFileItNamesWhateverTheBackend() throws Exception {
        Path dir = models("streamsr-recurrent-x4.onnx", "streamsr-recurrent-x4-int8.onnx");
        assertEquals(dir.resolve("streamsr-recurrent-x4.onnx"), Engines.resolveModel("streamsr-recurrent-x4", Backend.ONNXRUNTIME));
        assertEquals(dir.resolve("streamsr-recurrent-x4-int8.onnx"), Engines.resolveModel("streamsr-recurrent-x4-int8.onnx", Backend.TENSORRT));
    }

    @Test
    void theTunedModelsAreFoundPerBackendAndOnlyWhereShipped() throws Exception {
        Path dir = models("streamsr-recurrent-x4-stream-int8.onnx", "streamsr-recurrent-x4-stream.onnx", "streamsr-recurrent-x4-camera.onnx");
        var stream = dev.streamsr.frame.Tuning.STREAM;
        var camera = dev.streamsr.frame.Tuning.CAMERA;
        assertEquals(java.util.Optional.of(dir.resolve("streamsr-recurrent-x4-stream-int8.onnx")), Engines.tunedModel(stream, Backend.ONNXRUNTIME));
        assertEquals(java.util.Optional.of(dir.resolve("streamsr-recurrent-x4-stream.onnx")), Engines.tunedModel(stream, Backend.TENSORRT));
        assertEquals(java.util.Optional.empty(), Engines.tunedModel(camera, Backend.ONNXRUNTIME), "no int8 camera model: the default serves");
        assertEquals(java.util.Optional.of(dir.resolve("streamsr-recurrent-x4-camera.onnx")), Engines.tunedModel(camera, Backend.TENSORRT));
    }
}
