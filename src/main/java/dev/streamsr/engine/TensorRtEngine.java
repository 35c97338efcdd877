package dev.streamsr.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU backend: the same ONNX file parsed by TensorRT's ONNX parser, built in FP16 with the
 * optical-flow and grid-sampling layers kept in FP32, one optimisation profile covering batch
 * 1..max and the configured LR sizes, plans and timing caches on disk (see {@link PlanCache}).
 * Each engine owns one execution context and one CUDA stream, so one engine per worker thread;
 * frames move through pinned host buffers with asynchronous copies around {@code enqueueV3}.
 */
public final class TensorRtEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(TensorRtEngine.class);
    private static final String[] INPUTS = {"lr", "prev_lr", "prev_latent"};

    private final ModelInfo model;
    private final Profiles profiles;
    private final TrtLogger trtLogger = new TrtLogger();
    private final IRuntime runtime;
    private final ICudaEngine engine;
    private final IExecutionContext context;
    private final CUstream_st stream = new CUstream_st();
    private final ShapeCache<TrtBuffers> buffersByShape = new ShapeCache<>(ShapeCache.DEFAULT_CAPACITY);
    private final BytePointer lrName = new BytePointer("lr");
    private final BytePointer prevLrName = new BytePointer("prev_lr");
    private final BytePointer prevLatentName = new BytePointer("prev_latent");
    private final BytePointer srName = new BytePointer("sr");
    private final BytePointer latentName = new BytePointer("latent");
    private TrtBuffers bound;

    public TensorRtEngine(Path modelFile, PlanCache cache, List<dev.streamsr.frame.FrameSize> sizes, int maxBatch, boolean fp16) {
        TensorRt.unavailable().ifPresent(why -> {
            throw new EngineException("TensorRT cannot run here: " + why);
        });
        this.model = OnnxRuntimeEngine.readModelInfo(modelFile);
        if (model.latentBytesPerElement() != 4) {
            throw new EngineException("the TensorRT backend expects a float32 latent; " + modelFile + " has " + model.latentBytesPerElement() + "-byte elements");
        }
        this.profiles = Profiles.of(sizes, maxBatch, model);
        String gpu = TensorRt.gpuName();
        String version = TensorRt.version();
        String key = PlanCache.key(PlanCache.sha256(modelFile), gpu, version, profiles, fp16);
        Path planFile = cache.plan(key);
        byte[] plan = cache.read(planFile).orElse(null);
        if (plan != null) {
            log.info("engine tensorrt: plan {} read from the cache", planFile);
        } else {
            long t0 = System.nanoTime();
            plan = build(modelFile, cache, gpu, version, fp16);
            cache.write(planFile, plan);
            log.info("engine tensorrt: built {} for {} (TensorRT {}, {}, profile {}) in {} s; cached as {}", model.name(), gpu, version,
                    fp16 ? "FP16" : "FP32", profiles.signature(), (System.nanoTime() - t0) / 1_000_000_000L, planFile);
        }
        check(cudart.cudaStreamCreate(stream), "cudaStreamCreate");
        runtime = nvinfer.createInferRuntime(trtLogger);
        BytePointer planBytes = new BytePointer(plan);
        engine = runtime.deserializeCudaEngine(planBytes, plan.length);
        planBytes.close();
        if (engine == null || engine.isNull()) {
            throw new EngineException("TensorRT could not deserialize the plan " + planFile + "; delete it to rebuild");
        }
        context = engine.createExecutionContext();
        log.info("engine tensorrt: model {} v{} on {} (x{}, batch 1..{}, LR {} to {})", model.name(), model.version(), gpu,
                model.scale(), profiles.maxBatch(), profiles.min(), profiles.max());
    }

    private byte[] build(Path modelFile, PlanCache cache, String gpu, String version, boolean fp16) {
        IBuilder builder = nvinfer.createInferBuilder(trtLogger);
        INetworkDefinition network = builder.createNetworkV2(0);
        IParser parser = nvonnxparser.createParser(network, trtLogger);
        if (!parser.parseFromFile(modelFile.toString(), ILogger.Severity.kWARNING.value)) {
            StringBuilder errors = new StringBuilder();
            for (int i = 0; i < parser.getNbErrors(); i++) {
                errors.append("\n  ").append(parser.getError(i).nodeName()).append(": ").append(parser.getError(i).desc());
            }
            throw new EngineException("TensorRT's ONNX parser rejected " + modelFile + errors);
        }
        IBuilderConfig config = builder.createBuilderConfig();
        config.setMemoryPoolLimit(nvinfer.MemoryPoolType.kWORKSPACE, 4L << 30);
        if (fp16) {
            config.setFlag(nvinfer.BuilderFlag.kFP16);
            // Flow estimation and warping need FP32: FP16 flow errors of a tenth of a pixel show as shimmer.
            config.setFlag(nvinfer.BuilderFlag.kPREFER_PRECISION_CONSTRAINTS);
            int pinned = 0;
            for (int i = 0; i < network.getNbLayers(); i++) {
                ILayer layer = network.getLayer(i);
                String name = layer.getName();
                if (layer.getType() == nvinfer.LayerType.kGRID_SAMPLE || (name != null && name.contains("flow"))) {
                    layer.setPrecision(nvinfer.DataType.kFLOAT);
                    for (int o = 0; o < layer.getNbOutputs(); o++) {
                        layer.setOutputType(o, nvinfer.DataType.kFLOAT);
                    }
                    pinned++;
                }
            }
            log.info("engine tensorrt: {} of {} layers kept in FP32 (flow and grid sampling)", pinned, network.getNbLayers());
        }
        IOptimizationProfile profile = builder.createOptimizationProfile();
        for (String input : INPUTS) {
            List<Profiles.Dims> r = profiles.range(input);
            profile.setDimensions(input, nvinfer.OptProfileSelector.kMIN, dims(r.get(0)));
            profile.setDimensions(input, nvinfer.OptProfileSelector.kOPT, dims(r.get(1)));
            profile.setDimensions(input, nvinfer.OptProfileSelector.kMAX, dims(r.get(2)));
        }
        config.addOptimizationProfile(profile);
        Path timingFile = cache.timingCache(gpu, version);
        byte[] timing = cache.read(timingFile).orElse(new byte[0]);
        BytePointer timingBytes = new BytePointer(timing);
        ITimingCache timingCache = config.createTimingCache(timingBytes, timing.length);
        config.setTimingCache(timingCache, false);
        IHostMemory serialized = builder.buildSerializedNetwork(network, config);
        if (serialized == null || serialized.isNull()) {
            throw new EngineException("TensorRT could not build " + modelFile + " (see the TensorRT log lines above)");
        }
        byte[] plan = bytes(serialized.data(), serialized.size());
        IHostMemory timingOut = config.getTimingCache().serialize();
        cache.write(timingFile, bytes(timingOut.data(), timingOut.size()));
        timingBytes.close();
        return plan;
    }

    private static byte[] bytes(Pointer p, long size) {
        byte[] out = new byte[Math.toIntExact(size)];
        new BytePointer(p).capacity(size).get(out);
        return out;
    }

    private static Dims64 dims(Profiles.Dims d) {
        Dims64 out = new Dims64();
        out.nbDims(d.d().length);
        for (int i = 0; i < d.d().length; i++) {
            out.d(i, d.d()[i]);
        }
        return out;
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public String backend() {
        return "tensorrt";
    }

    @Override
    public EngineBuffers buffers(int batch, int height, int width) {
        if (!profiles.covers(batch, height, width)) {
            throw new EngineException("batch " + batch + " of " + width + "x" + height + " is outside the TensorRT profile "
                    + profiles.signature() + "; list the size in --engine-sizes");
        }
        return buffersByShape.get(batch, height, width, () -> {
            bound = null; // the evicted set's addresses may be reused by the new one
            return new TrtBuffers(batch, height, width);
        });
    }

    @Override
    public void run(EngineBuffers buffers) {
        TrtBuffers b = (TrtBuffers) buffers;
        if (bound != b) {
            // Shapes and addresses change only when the buffer set does: no per-frame native strings or dims.
            ok(context.setInputShape(lrName, b.frameDims), "setInputShape lr");
            ok(context.setInputShape(prevLrName, b.frameDims), "setInputShape prev_lr");
            bound = b;
        }
        ok(context.setInputShape(prevLatentName, b.latentDims), "setInputShape prev_latent");
        ok(context.setTensorAddress(lrName, b.lrD), "address lr");
        ok(context.setTensorAddress(prevLrName, b.prevLrD), "address prev_lr");
        ok(context.setTensorAddress(prevLatentName, b.latentInD), "address prev_latent");
        ok(context.setTensorAddress(srName, b.srD), "address sr");
        ok(context.setTensorAddress(latentName, b.latentOutD), "address latent");
        long frame = (long) b.batch() * b.frameBytes();
        long latent = (long) b.batch() * b.latentBytes();
        check(cudart.cudaMemcpyAsync(b.lrD, b.lrH, frame, cudart.cudaMemcpyHostToDevice, stream), "copy lr");
        check(cudart.cudaMemcpyAsync(b.prevLrD, b.prevLrH, frame, cudart.cudaMemcpyHostToDevice, stream), "copy prev_lr");
        check(cudart.cudaMemcpyAsync(b.latentInD, b.latentInH, latent, cudart.cudaMemcpyHostToDevice, stream), "copy prev_latent");
        if (!context.enqueueV3(stream)) {
            throw new EngineException("TensorRT enqueueV3 failed for batch " + b.batch() + " of " + b.width() + "x" + b.height());
        }
        check(cudart.cudaMemcpyAsync(b.srH, b.srD, (long) b.batch() * b.srBytes(), cudart.cudaMemcpyDeviceToHost, stream), "copy sr");
        check(cudart.cudaMemcpyAsync(b.latentOutH, b.latentOutD, latent, cudart.cudaMemcpyDeviceToHost, stream), "copy latent");
        check(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        buffersByShape.close();
        context.close();
        engine.close();
        runtime.close();
        cudart.cudaStreamDestroy(stream);
    }

    private static void ok(boolean result, String what) {
        if (!result) {
            throw new EngineException("TensorRT " + what + " failed");
        }
    }

    static void check(int rc, String what) {
        if (rc != cudart.cudaSuccess) {
            throw new EngineException("CUDA " + what + " failed: " + cudart.cudaGetErrorString(rc).getString());
        }
    }

    private final class TrtBuffers extends EngineBuffers {
        final Dims64 frameDims;
        final Dims64 latentDims;
        final Pointer lrH;
        final Pointer prevLrH;
        final Pointer srH;
        Pointer latentInH;
        Pointer latentOutH;
        final Pointer lrD;
        final Pointer prevLrD;
        final Pointer srD;
        Pointer latentInD;
        Pointer latentOutD;

        TrtBuffers(int batch, int height, int width) {
            super(batch, height, width, model.scale(), (int) model.latentBytes(height, width));
            frameDims = dims(profiles.frame(batch, new dev.streamsr.frame.FrameSize(width, height)));
            latentDims = dims(profiles.latent(batch, new dev.streamsr.frame.FrameSize(width, height)));
            long frame = (long) batch * frameBytes();
            long latent = (long) batch * latentBytes();
            long srb = (long) batch * srBytes();
            lrH = pinned(frame);
            prevLrH = pinned(frame);
            srH = pinned(srb);
            latentInH = pinned(latent);
            latentOutH = pinned(latent);
            lrD = device(frame);
            prevLrD = device(frame);
            srD = device(srb);
            latentInD = device(latent);
            latentOutD = device(latent);
            views(view(lrH, frame), view(prevLrH, frame), view(srH, srb), view(latentInH, latent), view(latentOutH, latent));
        }

        private static Pointer pinned(long bytes) {
            Pointer p = new Pointer();
            check(cudart.cudaMallocHost(p, bytes), "cudaMallocHost " + bytes);
            return p;
        }

        private static Pointer device(long bytes) {
            Pointer p = new Pointer();
            check(cudart.cudaMalloc(p, bytes), "cudaMalloc " + bytes);
            return p;
        }

        private static ByteBuffer view(Pointer p, long bytes) {
            return new BytePointer(p).capacity(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
        }

        @Override
        protected void latentsSwapped() {
            Pointer h = latentInH;
            latentInH = latentOutH;
            latentOutH = h;
            Pointer d = latentInD;
            latentInD = latentOutD;
            latentOutD = d;
        }

        @Override
        public void close() {
            for (Pointer p : new Pointer[] {lrH, prevLrH, srH, latentInH, latentOutH}) {
                cudart.cudaFreeHost(p);
            }
            for (Pointer p : new Pointer[] {lrD, prevLrD, srD, latentInD, latentOutD}) {
                cudart.cudaFree(p);
            }
        }
    }

    /** TensorRT's log lines into ours; verbose and info stay at debug. */
    private static final class TrtLogger extends ILogger {
        @Override
        public void log(ILogger.Severity severity, String msg) {
            switch (severity) {
                case kINTERNAL_ERROR, kERROR -> log.error("TensorRT: {}", msg);
                case kWARNING -> log.warn("TensorRT: {}", msg);
                default -> log.debug("TensorRT: {}", msg);
            }
        }
    }
}
