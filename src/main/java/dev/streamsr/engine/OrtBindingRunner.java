package dev.streamsr.engine;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.Value;
import org.bytedeco.onnxruntime.global.onnxruntime;

/**
 * Runs the model through ONNX Runtime's C++ API (JavaCPP presets) with an I/O binding: tensors
 * wrap the engine's direct buffers and stay bound, so a call is one native method with no Java
 * objects made. The Java API's {@code OrtSession.run} builds a Result, name arrays and an
 * iterator on every call (544 bytes per frame, measured); this does not.
 */
final class OrtBindingRunner implements AutoCloseable {
    private static final Env ENV = new Env(onnxruntime.ORT_LOGGING_LEVEL_ERROR, "streamsr");
    private final Session session;
    private final RunOptions runOptions = new RunOptions();
    private final MemoryInfo cpu = MemoryInfo.CreateCpu(onnxruntime.OrtArenaAllocator, onnxruntime.OrtMemTypeDefault);
    private final BytePointer lrName = new BytePointer("lr");
    private final BytePointer prevLrName = new BytePointer("prev_lr");
    private final BytePointer prevLatentName = new BytePointer("prev_latent");
    private final BytePointer srName = new BytePointer("sr");
    private final BytePointer latentName = new BytePointer("latent");

    OrtBindingRunner(Path model, int intraOpThreads) {
        SessionOptions options = new SessionOptions();
        options.SetGraphOptimizationLevel(onnxruntime.ORT_ENABLE_ALL);
        options.SetExecutionMode(onnxruntime.ORT_SEQUENTIAL);
        if (intraOpThreads > 0) {
            options.SetIntraOpNumThreads(intraOpThreads);
        }
        options.SetInterOpNumThreads(1);
        options.AddConfigEntry("session.intra_op.allow_spinning", "0");
        String profile = System.getenv("STREAMSR_ORT_PROFILE");
        if (profile != null && !profile.isBlank()) {
            // A developer's tool: ONNX Runtime writes per-node timings (JSON) to PREFIX_<date>.json when the session closes.
            options.EnableProfiling(new BytePointer(profile));
        }
        session = new Session(ENV, new BytePointer(model.toString()), options);
    }

    /**
     * The bound tensors of one buffer set. Two bindings differ only in which latent buffer is
     * input and which output; swapping latents switches binding, as rebinding makes Java objects.
     */
    final class Binding implements AutoCloseable {
        private final IoBinding even = new IoBinding(session);
        private final IoBinding odd = new IoBinding(session);
        private IoBinding current = even;
        private final Value lr;
        private final Value prevLr;
        private final Value sr;
        private final Value latentA;
        private final Value latentB;

        Binding(ByteBuffer lrBuf, ByteBuffer prevLrBuf, ByteBuffer srBuf, ByteBuffer latentA, ByteBuffer latentB,
                long[] frameShape, long[] srShape, long[] latentShape, int latentType) {
            lr = tensor(lrBuf, frameShape, onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8);
            prevLr = tensor(prevLrBuf, frameShape, onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8);
            sr = tensor(srBuf, srShape, onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8);
            this.latentA = tensor(latentA, latentShape, latentType);
            this.latentB = tensor(latentB, latentShape, latentType);
            for (IoBinding io : new IoBinding[] {even, odd}) {
                io.BindInput(lrName, lr);
                io.BindInput(prevLrName, prevLr);
                io.BindOutput(srName, sr);
            }
            even.BindInput(prevLatentName, this.latentA);
            even.BindOutput(latentName, this.latentB);
            odd.BindInput(prevLatentName, this.latentB);
            odd.BindOutput(latentName, this.latentA);
        }

        private Value tensor(ByteBuffer buf, long[] shape, int type) {
            return Value.CreateTensor(cpu.asOrtMemoryInfo(), new Pointer(buf), buf.capacity(), shape, shape.length, type);
        }

        void swapLatents() {
            current = current == even ? odd : even;
        }

        void run() {
            session.Run(runOptions, current);
        }

        @Override
        public void close() {
            even.close();
            odd.close();
            for (Value v : new Value[] {lr, prevLr, sr, latentA, latentB}) {
                v.close();
            }
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
