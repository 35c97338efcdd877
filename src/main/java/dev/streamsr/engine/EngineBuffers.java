package dev.streamsr.engine;

import java.nio.ByteBuffer;

/**
 * The input and output tensors of one engine call, for a fixed batch and LR size, allocated once
 * and reused for every call. Item i of a batch occupies bytes [i*itemBytes, (i+1)*itemBytes) of
 * each buffer. Callers fill {@link #lr()}, {@link #prevLr()} and {@link #prevLatent()}, call
 * {@link Engine#run}, then read {@link #sr()} and {@link #latent()}.
 */
public abstract class EngineBuffers implements AutoCloseable {
    private final int batch;
    private final int height;
    private final int width;
    private final int scale;
    private final int latentBytes;

    protected EngineBuffers(int batch, int height, int width, int scale, int latentBytes) {
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.scale = scale;
        this.latentBytes = latentBytes;
    }

    public int batch() {
        return batch;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int frameBytes() {
        return 3 * height * width;
    }

    public int srBytes() {
        return 3 * height * width * scale * scale;
    }

    public int latentBytes() {
        return latentBytes;
    }

    private ByteBuffer lr;
    private ByteBuffer prevLr;
    private ByteBuffer sr;
    private ByteBuffer latentIn;
    private ByteBuffer latentOut;
    private Object holder;
    private Runnable save;

    /** Backends call this once their memory exists: host views of the five tensors. */
    protected final void views(ByteBuffer lr, ByteBuffer prevLr, ByteBuffer sr, ByteBuffer latentIn, ByteBuffer latentOut) {
        this.lr = lr;
        this.prevLr = prevLr;
        this.sr = sr;
        this.latentIn = latentIn;
        this.latentOut = latentOut;
    }

    public final ByteBuffer lr() {
        return lr;
    }

    public final ByteBuffer prevLr() {
        return prevLr;
    }

    public final ByteBuffer prevLatent() {
        return latentIn;
    }

    public final ByteBuffer sr() {
        return sr;
    }

    public final ByteBuffer latent() {
        return latentOut;
    }

    /**
     * Makes the latent just produced the next call's {@code prev_latent} without copying: the two
     * latent buffers trade places.
     */
    public final void swapLatents() {
        ByteBuffer b = latentIn;
        latentIn = latentOut;
        latentOut = b;
        latentsSwapped();
    }

    /**
     * Lets one stream's temporal state stay in these buffers between its frames. A stream that has
     * the engine to itself (the usual case: one stream per thread, or a run of frames of one stream)
     * then needs no copy of its latent out of the buffers and back: its next call swaps the latent
     * it produced into {@code prev_latent}. Returns true when {@code holder} still holds the
     * buffers, that is when {@link #latent()} is its last output. Otherwise the previous holder's
     * {@code save} runs first (it copies its latent out) and {@code holder} takes them.
     */
    public final boolean hold(Object holder, Runnable save) {
        if (this.holder == holder) {
            return true;
        }
        release();
        this.holder = holder;
        this.save = save;
        return false;
    }

    /** The holder, if any, copies its latent out: before the buffers are reused for another shape or freed. */
    public final void release() {
        Runnable s = save;
        holder = null;
        save = null;
        if (s != null) {
            s.run();
        }
    }

    /** What else a backend binds to the latents (tensors, device pointers) trades places here too. */
    protected void latentsSwapped() {
    }

    @Override
    public abstract void close();
}
