package dev.streamsr.cli;

import dev.streamsr.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Option;

/** Options of the metrics registry every role serves at /metrics. */
public final class MetricsOptions {
    @Option(names = "--max-stream-metrics", paramLabel = "N", defaultValue = "" + Metrics.DEFAULT_MAX_STREAMS,
            description = "Most stream ids that get their own metrics; meters of further streams are not recorded (logged). Default: ${DEFAULT-VALUE}.")
    int maxStreams;

    PrometheusMeterRegistry registry() {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("--max-stream-metrics must be at least 1");
        }
        return Metrics.registry(maxStreams);
    }
}
