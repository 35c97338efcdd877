package dev.streamsr.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Prometheus registry a process shares between its roles and serves at /metrics. */
public final class Metrics {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);
    /** Default cap on distinct stream ids in StreamSR's own metrics. */
    public static final int DEFAULT_MAX_STREAMS = 500;

    private Metrics() {
    }

    public static PrometheusMeterRegistry registry() {
        return registry(DEFAULT_MAX_STREAMS);
    }

    /**
     * A registry with JVM and process metrics, where StreamSR's per-stream meters stop at
     * {@code maxStreams} distinct stream ids: a misbehaving source registry cannot explode cardinality.
     */
    public static PrometheusMeterRegistry registry(int maxStreams) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        capStreams(registry, maxStreams);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new GpuMetrics().bindTo(registry);
        return registry;
    }

    public static void capStreams(MeterRegistry registry, int maxStreams) {
        registry.config().meterFilter(MeterFilter.maximumAllowableTags("streamsr", "stream", maxStreams, new MeterFilter() {
            @Override
            public io.micrometer.core.instrument.config.MeterFilterReply accept(io.micrometer.core.instrument.Meter.Id id) {
                log.warn("more than {} stream ids in metrics; {} for stream {} is not recorded", maxStreams, id.getName(), id.getTag("stream"));
                return io.micrometer.core.instrument.config.MeterFilterReply.DENY;
            }
        }));
    }
}
