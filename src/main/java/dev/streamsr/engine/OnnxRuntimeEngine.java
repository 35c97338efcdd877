package dev.streamsr.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU backend on ONNX Runtime. Tensors wrap direct buffers created once per shape, outputs
 * are pinned, and the two latent buffers alternate, so a steady stream of calls allocates no
 * frame-sized memory.
 */
public final class OnnxRuntimeEngine implements Engine {
    static {
        NoExecStack.onnxRuntime(); // before the first ONNX Runtime class loads the library
    }

    private static final Logger log = LoggerFactory.getLogger(OnnxRuntimeEngine.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtBindingRunner runner;
    private final int threads;
    private final ModelInfo model;
    private final OnnxJavaType latentType;
    private final ShapeCache<OrtBuffers> buffersByShape = new ShapeCache<>(ShapeCache.DEFAULT_CAPACITY);
    private OrtBuffers last;

    public OnnxRuntimeEngine(Path modelFile, int intraOpThreads) {
        this(modelFile, intraOpThreads, true);
    }

    private OnnxRuntimeEngine(Path modelFile, int intraOpThreads, boolean forRunning) {
        this.threads = intraOpThreads;
        if (!Files.isRegularFile(modelFile)) {
            throw new EngineException("model file " + modelFile + " does not exist");
        }
        try {
            env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setInterOpNumThreads(1);
            // Idle intra-op workers spin by default: a whole core burnt between frames, which the
            // encoders and the broker on the same machine need more. Measured: 91% of a core at 30 fps.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = env.createSession(modelFile.toString(), options);
            checkContract(modelFile);
            NodeInfo prevLatent = session.getInputInfo().get("prev_latent");
            latentType = ((TensorInfo) prevLatent.getInfo()).type;
            int latentElementBytes = switch (latentType) {
                case FLOAT -> 4;
                case FLOAT16 -> 2;
                default -> throw new EngineException("model " + modelFile + ": prev_latent must be float32 or float16, is " + latentType);
            };
            model = ModelInfo.from(session.getMetadata().getCustomMetadata(), latentElementBytes);
            // The Java API session reads the metadata and checks the contract; calls go through the
            // C++ API's I/O binding, which makes no Java objects per frame.
            session.close();
            runner = forRunning ? new OrtBindingRunner(modelFile, intraOpThreads) : null;
            if (forRunning) {
                log.info("engine onnxruntime: model {} v{} from {} (x{}, latent {}ch/{} {}), {} intra-op threads", model.name(),
                        model.version(), modelFile, model.scale(), model.latentChannels(), model.latentStride(), latentType,
                        intraOpThreads > 0 ? intraOpThreads : "default");
            }
        } catch (OrtException e) {
            throw new EngineException("cannot load model " + modelFile + " in ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** The model's metadata, read through ONNX Runtime (TensorRT does not expose ONNX metadata_props). */
    public static ModelInfo readModelInfo(Path modelFile) {
        try (OnnxRuntimeEngine e = new OnnxRuntimeEngine(modelFile, 1, false)) {
            return e.model();
        }
    }

    private void checkContract(Path modelFile) throws OrtException {
        for (String in : new String[] {"lr", "prev_lr", "prev_latent"}) {
            if (!session.getInputNames().contains(in)) {
                throw new EngineException("model " + modelFile + " has no input '" + in + "' (engine contract)");
            }
        }
        for (String out : new String[] {"sr", "latent"}) {
            if (!session.getOutputNames().contains(out)) {
                throw new EngineException("model " + modelFile + " has no output '" + out + "' (engine contract)");
            }
        }
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public String backend() {
        return "onnxruntime";
    }

    @Override
    public EngineBuffers buffers(int batch, int height, int width) {
        OrtBuffers b = last;
        if (b != null && b.batch() == batch && b.height() == height && b.width() == width) {
            return b;
        }
        model.checkSize(height, width);
        b = buffersByShape.get(batch, height, width, () -> new OrtBuffers(batch, height, width));
        last = b;
        return b;
    }

    /** How many buffer sets are held now (bounded by {@link ShapeCache#DEFAULT_CAPACITY}). */
    int cachedShapes() {
        return buffersByShape.size();
    }

    @Override
    public void run(EngineBuffers buffers) {
        OrtBuffers b = (OrtBuffers) buffers;
        try {
            b.binding.run();
        } catch (RuntimeException e) {
            throw new EngineException("model " + model.name() + " failed on " + b.batch() + "x" + b.width() + "x" + b.height()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        buffersByShape.close();
        last = null;
        if (runner != null) {
            runner.close();
        }
    }

    private final class OrtBuffers extends EngineBuffers {
        private final OrtBindingRunner.Binding binding;

        OrtBuffers(int batch, int height, int width) {
            super(batch, height, width, model.scale(), (int) model.latentBytes(height, width));
            int s = model.scale();
            long[] frameShape = {batch, height, width, 3};
            long[] srShape = {batch, (long) height * s, (long) width * s, 3};
            long[] latentShape = {batch, model.latentChannels(), height / model.latentStride(), width / model.latentStride()};
            ByteBuffer lr = direct((long) batch * frameBytes());
            ByteBuffer prevLr = direct((long) batch * frameBytes());
            ByteBuffer sr = direct((long) batch * srBytes());
            ByteBuffer latentIn = direct((long) batch * latentBytes());
            ByteBuffer latentOut = direct((long) batch * latentBytes());
            views(lr, prevLr, sr, latentIn, latentOut);
            int type = latentType == OnnxJavaType.FLOAT16 ? org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16
                    : org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
            try {
                binding = runner.new Binding(lr, prevLr, sr, latentIn, latentOut, frameShape, srShape, latentShape, type);
            } catch (RuntimeException e) {
                throw new EngineException("cannot allocate tensors for " + width + "x" + height + ": " + e.getMessage(), e);
            }
        }

        /** Native memory freed in {@link #close}, not whenever the garbage collector gets to a direct buffer. */
        private final java.util.List<BytePointer> memory = new java.util.ArrayList<>(5);

        private ByteBuffer direct(long bytes) {
            if (bytes > Integer.MAX_VALUE) {
                throw new EngineException("tensor of " + bytes + " bytes is too large for one buffer; lower the batch size");
            }
            BytePointer p = new BytePointer(bytes);
            if (p.isNull()) {
                throw new EngineException("cannot allocate " + bytes + " bytes for a tensor");
            }
            memory.add(p);
            p.capacity(bytes).zero(); // as a direct ByteBuffer would be: a first call may read a latent nobody wrote
            return p.asByteBuffer().order(ByteOrder.nativeOrder());
        }

        @Override
        protected void latentsSwapped() {
            binding.swapLatents();
        }

        @Override
        public void close() {
            binding.close();
            memory.forEach(BytePointer::deallocate);
            memory.clear();
        }
    }
}
