package dev.streamsr.flow;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.ModelInfo;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Wraps a real engine and records the first value of {@code prev_latent} of every call; with the
 * counter model that value is the number of frames of history the stream had. Optionally throws
 * on call number {@code crashAtCall} to kill the stream thread mid-stream.
 */
final class RecordingEngine implements Engine {
    private final Engine delegate;
    private final List<Float> prevLatents;
    private final int crashAtCall;
    private final ModelInfo model;
    private int calls;

    RecordingEngine(Engine delegate, List<Float> prevLatents, int crashAtCall) {
        this(delegate, prevLatents, crashAtCall, delegate.model());
    }

    private RecordingEngine(Engine delegate, List<Float> prevLatents, int crashAtCall, ModelInfo model) {
        this.delegate = delegate;
        this.prevLatents = prevLatents;
        this.crashAtCall = crashAtCall;
        this.model = model;
    }

    /** The same weights under another version, as a redeployed model file would say. */
    RecordingEngine asVersion(String version) {
        ModelInfo m = delegate.model();
        return new RecordingEngine(delegate, prevLatents, crashAtCall,
                new ModelInfo(m.name(), version, m.scale(), m.latentChannels(), m.latentStride(), m.latentBytesPerElement(), m.metadata()));
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public String backend() {
        return delegate.backend();
    }

    @Override
    public EngineBuffers buffers(int batch, int height, int width) {
        return delegate.buffers(batch, height, width);
    }

    @Override
    public void run(EngineBuffers buffers) {
        if (++calls == crashAtCall) {
            throw new IllegalStateException("simulated crash of the upscale instance");
        }
        prevLatents.add(buffers.prevLatent().order(ByteOrder.nativeOrder()).getFloat(0));
        delegate.run(buffers);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
