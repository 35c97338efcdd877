package dev.streamsr.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * One thread's view of a shared {@link FrameBatcher}: an {@link Engine} that takes one frame at a
 * time like any other, while its calls are batched with other threads' frames behind it. Its
 * buffers are the thread's own; inputs are copied into the batch and outputs back out.
 */
public final class BatchedEngine implements Engine {
    private final FrameBatcher batcher;
    private final Map<Long, ItemBuffers> buffersByShape = new HashMap<>();
    private int lastBatch = 1;

    BatchedEngine(FrameBatcher batcher) {
        this.batcher = batcher;
    }

    @Override
    public ModelInfo model() {
        return batcher.engine().model();
    }

    @Override
    public String backend() {
        return batcher.engine().backend();
    }

    /** Size of the batch the last frame ran in. */
    public int lastBatch() {
        return lastBatch;
    }

    @Override
    public EngineBuffers buffers(int batch, int height, int width) {
        if (batch != 1) {
            throw new EngineException("a batched engine takes one frame per call; the batcher forms the batches");
        }
        model().checkSize(height, width);
        return buffersByShape.computeIfAbsent(((long) height << 20) | width, k -> new ItemBuffers(height, width));
    }

    @Override
    public void run(EngineBuffers buffers) {
        ItemBuffers mine = (ItemBuffers) buffers;
        int fb = mine.frameBytes();
        int lb = mine.latentBytes();
        int sb = mine.srBytes();
        lastBatch = batcher.run(mine.height(), mine.width(), (b, i) -> {
            b.lr().put(i * fb, mine.lr(), 0, fb);
            b.prevLr().put(i * fb, mine.prevLr(), 0, fb);
            b.prevLatent().put(i * lb, mine.prevLatent(), 0, lb);
        }, (b, i) -> {
            mine.sr().put(0, b.sr(), i * sb, sb);
            mine.latent().put(0, b.latent(), i * lb, lb);
        });
    }

    @Override
    public void close() {
        buffersByShape.clear();
    }

    private final class ItemBuffers extends EngineBuffers {
        ItemBuffers(int height, int width) {
            super(1, height, width, model().scale(), (int) model().latentBytes(height, width));
            views(direct(frameBytes()), direct(frameBytes()), direct(srBytes()), direct(latentBytes()), direct(latentBytes()));
        }

        private static ByteBuffer direct(int n) {
            return ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
        }

        @Override
        public void close() {
        }
    }
}
