package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * A stream whose size keeps changing (36 sizes) holds a bounded number of buffer sets, and
     * their native memory is given back: resident memory after 36 sizes is what it was after the
     * first few. Without the bound it grew by the buffers of every size ever seen (~28 MB each here).
     */
    @Test
    void memoryStaysFlatUnderAStreamThatKeepsChangingSize() throws Exception {
        try (OnnxRuntimeEngine engine = new OnnxRuntimeEngine(BICUBIC, 1)) {
            long settled = 0;
            for (int i = 0; i < 36; i++) {
                int w = 960 + 2 * i;
                EngineBuffers b = engine.buffers(1, 540, w);
                engine.run(b);
                assertTrue(engine.cachedShapes() <= ShapeCache.DEFAULT_CAPACITY, engine.cachedShapes() + " shapes held");
                if (i == ShapeCache.DEFAULT_CAPACITY + 1) {
                    settled = residentBytes();
                }
            }
            long grown = residentBytes() - settled;
            System.out.printf("36 frame sizes 960..1030x540 -> x4: resident memory grew %d MB after the first %d sizes%n",
                    grown >> 20, ShapeCache.DEFAULT_CAPACITY + 2);
            assertTrue(grown < 200L << 20, "resident memory grew " + (grown >> 20) + " MB over 26 more sizes");
            EngineBuffers fresh = engine.buffers(1, 540, 960);
            engine.run(fresh);
            assertTrue(fresh.sr().get(0) != 0 || fresh.sr().get(1) != 0 || fresh.sr().capacity() > 0, "an evicted size comes back usable");
        }
    }

    private static long residentBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
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

    /**
     * Two streams take turns on one set of buffers: the one that keeps them swaps its own latent
     * back in; the one that loses them has its latent copied out first, and when the buffers are
     * evicted for another shape the holder's latent is copied out too.
     */
    @Test
    void aHolderKeepsItsLatentInTheBuffersAndLosesItOnlyThroughItsSave() {
        try (OnnxRuntimeEngine engine = new OnnxRuntimeEngine(COUNTER, 1)) {
            EngineBuffers b = engine.buffers(1, 8, 8);
            float[] saved = new float[2];
            Object a = new Object();
            Object other = new Object();
            assertFalse(b.hold(a, () -> saved[0] = b.latent().order(ByteOrder.nativeOrder()).getFloat(0)));
            engine.run(b);
            assertTrue(b.hold(a, () -> saved[0] = -1), "a still holds them");
            b.swapLatents();
            engine.run(b);
            assertEquals(0f, saved[0], "nothing saved while a keeps the buffers");
            assertFalse(b.hold(other, () -> saved[1] = b.latent().order(ByteOrder.nativeOrder()).getFloat(0)));
            assertEquals(2f, saved[0], "a's two frames of history were copied out before the buffers changed hands");
            b.prevLatent().putFloat(0, 41f);
            engine.run(b);
            for (int i = 0; i < ShapeCache.DEFAULT_CAPACITY; i++) {
                engine.buffers(1, 8, 10 + 2 * i); // other shapes push the 8x8 set out of the cache
            }
            assertEquals(42f, saved[1], "the holder's latent is copied out before its buffers are freed");
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
