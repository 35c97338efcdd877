package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.Bicubic;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxRuntimeEngineTest {
    static final Path BICUBIC = Path.of("models/bicubic-x4.onnx");
    static final Path COUNTER = Path.of("src/test/resources/models/counter-x4.onnx");

    @Test
    void theBicubicModelMatchesAnIndependentBicubicUpscale() {
        try (Engine engine = new OnnxRuntimeEngine(BICUBIC, 1)) {
            assertEquals(4, engine.model().scale());
            assertEquals("bicubic-x4", engine.model().name());
            int w = 24;
            int h = 16;
            byte[] lr = new byte[w * h * 3];
            new Random(7).nextBytes(lr);
            EngineBuffers b = engine.buffers(1, h, w);
            b.lr().put(0, lr);
            b.prevLr().put(0, lr);
            engine.run(b);
            byte[] sr = new byte[b.srBytes()];
            b.sr().get(0, sr);
            byte[] ref = Bicubic.upscale(lr, w, h, 4);
            int maxDiff = 0;
            for (int i = 0; i < sr.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs((sr[i] & 0xff) - (ref[i] & 0xff)));
            }
            assertTrue(maxDiff <= 1, "engine differs from reference bicubic by up to " + maxDiff);
            for (int i = 0; i < b.latentBytes(); i++) {
                assertEquals(0, b.latent().get(i), "the baseline latent is all zero");
            }
        }
    }

    @Test
    void buffersAreCreatedOncePerShape() {
        try (Engine engine = new OnnxRuntimeEngine(BICUBIC, 1)) {
            EngineBuffers a = engine.buffers(1, 8, 8);
            assertSame(a, engine.buffers(1, 8, 8));
            engine.buffers(1, 16, 8);
            assertSame(a, engine.buffers(1, 8, 8));
        }
    }

    @Test
    void swappedLatentsCarryHistoryWithoutCopying() {
        try (Engine engine = new OnnxRuntimeEngine(COUNTER, 1)) {
            EngineBuffers b = engine.buffers(1, 8, 8);
            for (int i = 0; i < 3; i++) {
                engine.run(b);
                b.swapLatents();
            }
            assertEquals(3.0f, b.prevLatent().order(ByteOrder.nativeOrder()).getFloat(0), "three calls counted through swapped buffers");
        }
    }

    @Test
    void sidesNotDivisibleByTheLatentStrideAreRefused() {
        try (Engine engine = new OnnxRuntimeEngine(BICUBIC, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.buffers(1, 9, 8));
            assertTrue(e.getMessage().contains("divisible by 2"), e.getMessage());
        }
    }

    @Test
    void aMissingModelSaysWhich() {
        EngineException e = assertThrows(EngineException.class, () -> new OnnxRuntimeEngine(Path.of("models/nope.onnx"), 1));
        assertTrue(e.getMessage().contains("models/nope.onnx"), e.getMessage());
    }
}
