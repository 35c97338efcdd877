package dev.streamsr.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Cross-stream batching with the real tiny model in ONNX Runtime: four streams on four threads,
 * each with its own history, must get exactly what one-frame-at-a-time calls give them, while
 * their frames actually share engine calls.
 */
class FrameBatcherTest {
    static final Path MODEL = Path.of("models/streamsr-tiny-x4.onnx");
    static final int W = 32;
    static final int H = 24;
    static final int STREAMS = 4;
    static final int FRAMES = 5;

    record Out(byte[] sr, byte[] latent) {
    }

    static byte[][][] clips() {
        byte[][][] clips = new byte[STREAMS][FRAMES][W * H * 3];
        Random r = new Random(11);
        for (byte[][] clip : clips) {
            for (byte[] f : clip) {
                r.nextBytes(f);
            }
        }
        return clips;
    }

    /** One stream, one frame per call: the reference. */
    static List<Out> sequential(Engine e, byte[][] clip) {
        List<Out> out = new ArrayList<>();
        EngineBuffers b = e.buffers(1, H, W);
        byte[] prev = clip[0];
        byte[] latent = new byte[b.latentBytes()];
        for (byte[] f : clip) {
            b.lr().put(0, f);
            b.prevLr().put(0, prev);
            b.prevLatent().put(0, latent);
            e.run(b);
            byte[] sr = new byte[b.srBytes()];
            b.sr().get(0, sr);
            latent = new byte[b.latentBytes()];
            b.latent().get(0, latent);
            out.add(new Out(sr, latent));
            prev = f;
        }
        return out;
    }

    @Test
    void batchedStreamsGetExactlyTheirOwnResults() throws Exception {
        byte[][][] clips = clips();
        List<List<Out>> expected = new ArrayList<>();
        try (Engine e = new OnnxRuntimeEngine(MODEL, 1)) {
            for (byte[][] clip : clips) {
                expected.add(sequential(e, clip));
            }
        }
        AtomicInteger batched = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        List<List<Out>> actual = new ArrayList<>();
        try (FrameBatcher batcher = new FrameBatcher(() -> new OnnxRuntimeEngine(MODEL, 1), STREAMS, Duration.ofMillis(50),
                (n, nanos) -> {
                    calls.incrementAndGet();
                    if (n > 1) {
                        batched.incrementAndGet();
                    }
                })) {
            CyclicBarrier together = new CyclicBarrier(STREAMS);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                List<Out> mine = new ArrayList<>();
                actual.add(mine);
                byte[][] clip = clips[s];
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Engine e = batcher.forThread()) {
                        together.await();
                        mine.addAll(sequential(e, clip));
                    } catch (Exception ex) {
                        throw new RuntimeException(ex);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        for (int s = 0; s < STREAMS; s++) {
            assertEquals(FRAMES, actual.get(s).size(), "stream " + s);
            for (int f = 0; f < FRAMES; f++) {
                Out want = expected.get(s).get(f);
                Out got = actual.get(s).get(f);
                assertTrue(maxDiff(want.sr(), got.sr()) <= 2, "stream " + s + " frame " + f + " SR differs by " + maxDiff(want.sr(), got.sr()));
                // Batched convolutions round differently, and CFR's top-k can flip on a near tie; another
                // stream's latent would be off by the latent's whole range (about 1.5 here).
                assertTrue(maxFloatDiff(want.latent(), got.latent()) < 0.05, "stream " + s + " frame " + f + " latent differs by " + maxFloatDiff(want.latent(), got.latent()) + " (max abs " + maxFloatDiff(want.latent(), new byte[want.latent().length]) + ")");
            }
        }
        assertTrue(batched.get() > 0, "no engine call carried more than one frame (" + calls.get() + " calls)");
        assertTrue(calls.get() < STREAMS * FRAMES, calls.get() + " calls for " + STREAMS * FRAMES + " frames");
    }

    @Test
    void aLoneThreadNeverWaitsForCompany() {
        try (FrameBatcher batcher = new FrameBatcher(() -> new OnnxRuntimeEngine(MODEL, 1), 8, Duration.ofSeconds(5), null);
             Engine e = batcher.forThread()) {
            long t0 = System.nanoTime();
            List<Out> out = sequential(e, clips()[0]);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(FRAMES, out.size());
            assertTrue(ms < 5_000, "a single submitter waited for the window: " + ms + " ms");
            assertArrayEquals(new int[] {1}, new int[] {((BatchedEngine) e).lastBatch()});
        }
    }

    static int maxDiff(byte[] a, byte[] b) {
        int worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        }
        return worst;
    }

    static double maxFloatDiff(byte[] a, byte[] b) {
        var fa = java.nio.ByteBuffer.wrap(a).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        var fb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        double worst = 0;
        for (int i = 0; i < fa.capacity(); i++) {
            worst = Math.max(worst, Math.abs(fa.get(i) - fb.get(i)));
        }
        return worst;
    }
}
