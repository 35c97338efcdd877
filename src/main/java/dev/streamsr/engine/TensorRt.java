package dev.streamsr.engine;

import java.util.Optional;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

/**
 * Whether TensorRT can run in this process: the CUDA runtime and a device, and the TensorRT and
 * ONNX parser libraries, loaded through the JavaCPP presets. Probed once per JVM.
 */
public final class TensorRt {
    private static volatile Probe probe;

    private record Probe(String unavailable, String gpuName, String version) {
    }

    private TensorRt() {
    }

    public static Optional<String> unavailable() {
        return Optional.ofNullable(probe().unavailable());
    }

    /** The first CUDA device's name, e.g. "NVIDIA H100 80GB HBM3". */
    public static String gpuName() {
        return probe().gpuName();
    }

    /** The TensorRT library version, e.g. "10.12.0". */
    public static String version() {
        return probe().version();
    }

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (TensorRt.class) {
                if (probe == null) {
                    probe = onLargeStack();
                }
                p = probe;
            }
        }
        return p;
    }

    /**
     * JavaCPP's loader failing on a missing CUDA library overflowed the 1 MB stack of ordinary
     * threads (a segfault, seen under JMH); probing on a thread with a large stack is safe from any caller.
     */
    private static Probe onLargeStack() {
        Probe[] out = new Probe[1];
        Thread t = Thread.ofPlatform().name("tensorrt-probe").stackSize(64L << 20).start(() -> out[0] = run());
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe("interrupted while probing for TensorRT", null, null);
        }
        return out[0] != null ? out[0] : new Probe("the TensorRT probe failed", null, null);
    }

    private static Probe run() {
        String gpu;
        try {
            Loader.load(cudart.class);
            int[] count = new int[1];
            int rc = cudart.cudaGetDeviceCount(count);
            if (rc != cudart.cudaSuccess || count[0] == 0) {
                return new Probe(rc != cudart.cudaSuccess ? "no CUDA device (" + cudart.cudaGetErrorString(rc).getString() + ")"
                        : "no CUDA device", null, null);
            }
            cudaDeviceProp props = new cudaDeviceProp();
            cudart.cudaGetDeviceProperties(props, 0);
            gpu = props.name().getString().trim();
        } catch (Throwable e) {
            return new Probe("the CUDA runtime does not load (" + brief(e) + ")", null, null);
        }
        try {
            Loader.load(nvinfer.class);
            Loader.load(nvonnxparser.class);
            int v = nvinfer.getInferLibVersion();
            // TensorRT 10 encodes major*10000 + minor*100 + patch.
            String version = (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
            return new Probe(null, gpu, version);
        } catch (Throwable e) {
            return new Probe("the TensorRT libraries do not load (" + brief(e) + ")", gpu, null);
        }
    }

    private static String brief(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 160 ? m.substring(0, 160) + "..." : m));
    }
}
