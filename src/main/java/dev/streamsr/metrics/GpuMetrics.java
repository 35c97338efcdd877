package dev.streamsr.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.nvml.nvmlMemory_t;
import org.bytedeco.cuda.nvml.nvmlUtilization_t;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU utilisation and memory per device through NVML (JavaCPP cuda presets), and
 * {@code streamsr_gpu_devices}, which is 0 on machines without an NVIDIA driver so that
 * dashboards and alerts can tell "no GPU" from "no data".
 */
public final class GpuMetrics implements MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(GpuMetrics.class);
    private final AtomicInteger devices = new AtomicInteger();
    private String unavailable;

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("streamsr.gpu.devices", devices, AtomicInteger::get)
                .description("NVIDIA GPUs visible to this process through NVML").register(registry);
        if (Nvml.ERROR != null) {
            unavailable = Nvml.ERROR;
            // Expected on machines without an NVIDIA driver: one plain line, the linker's words only at DEBUG.
            log.info("no NVIDIA GPU driver here: GPU metrics off (streamsr_gpu_devices 0)");
            log.debug("NVML did not load: {}", unavailable);
            return;
        }
        int count = Nvml.COUNT;
        devices.set(count);
        for (int i = 0; i < count; i++) {
            nvmlDevice_st device = new nvmlDevice_st();
            if (nvml.nvmlDeviceGetHandleByIndex_v2(i, device) != nvml.NVML_SUCCESS) {
                continue;
            }
            byte[] name = new byte[96];
            nvml.nvmlDeviceGetName(device, name, name.length);
            String gpu = Integer.toString(i);
            String model = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
            nvmlUtilization_t util = new nvmlUtilization_t();
            nvmlMemory_t memory = new nvmlMemory_t();
            Gauge.builder("streamsr.gpu.utilization", () -> {
                        synchronized (util) {
                            return nvml.nvmlDeviceGetUtilizationRates(device, util) == nvml.NVML_SUCCESS ? util.gpu() / 100.0 : Double.NaN;
                        }
                    }).description("Fraction of the last sample period a kernel ran on the GPU")
                    .tag("gpu", gpu).tag("name", model).register(registry);
            Gauge.builder("streamsr.gpu.memory.used", () -> {
                        synchronized (memory) {
                            return nvml.nvmlDeviceGetMemoryInfo(device, memory) == nvml.NVML_SUCCESS ? memory.used() : Double.NaN;
                        }
                    }).description("GPU memory in use").baseUnit("bytes").tag("gpu", gpu).tag("name", model).register(registry);
            Gauge.builder("streamsr.gpu.memory.total", () -> {
                        synchronized (memory) {
                            return nvml.nvmlDeviceGetMemoryInfo(device, memory) == nvml.NVML_SUCCESS ? memory.total() : Double.NaN;
                        }
                    }).description("GPU memory installed").baseUnit("bytes").tag("gpu", gpu).tag("name", model).register(registry);
            log.info("GPU metrics for device {} ({})", gpu, model);
        }
    }

    /** Why NVML could not be used, or null when it was. */
    public String unavailable() {
        return unavailable;
    }

    /** Loaded once per JVM: a failed load is not retried for every registry. */
    private static final class Nvml {
        static final int COUNT;
        static final String ERROR;

        static {
            int count = 0;
            String error = null;
            Object result = probeOnLargeStack();
            if (result instanceof Integer n) {
                count = n;
            } else {
                error = String.valueOf(result);
            }
            COUNT = count;
            ERROR = error;
        }
    }

    /**
     * On a thread with a large stack: JavaCPP's loader failing on a missing library can overflow an
     * ordinary thread's. A method of this class, not of {@code Nvml}: a lambda inside Nvml's static
     * initializer would wait for that initializer to finish, which waits for the thread.
     */
    private static Object probeOnLargeStack() {
        Object[] result = new Object[1];
        Thread t = Thread.ofPlatform().name("nvml-probe").stackSize(64L << 20).start(() -> {
            try {
                result[0] = open();
            } catch (Throwable e) {
                // UnsatisfiedLinkError where libnvidia-ml is absent: the normal case on CPU machines.
                result[0] = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result[0];
    }

    private static int open() {
        Loader.load(nvml.class);
        int rc = nvml.nvmlInit_v2();
        if (rc != nvml.NVML_SUCCESS) {
            throw new IllegalStateException("nvmlInit failed: " + nvml.nvmlErrorString(rc).getString());
        }
        int[] count = new int[1];
        rc = nvml.nvmlDeviceGetCount_v2(count);
        if (rc != nvml.NVML_SUCCESS) {
            throw new IllegalStateException("nvmlDeviceGetCount failed: " + nvml.nvmlErrorString(rc).getString());
        }
        return count[0];
    }
}
