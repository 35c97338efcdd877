package dev.streamsr.cli;

import dev.streamsr.metrics.Health;
import dev.streamsr.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Option;

/** {@code --metrics-port} of the roles without an HTTP server of their own; each role has its default port. */
final class MetricsPortOptions {
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of this role's /metrics, /health/live and /health/ready; 0 turns them off. "
                    + "Default: 9401 for ingest, 9402 for upscale, 9403 for package.")
    Integer port;

    /** Starts the role's metrics and health server on {@code --metrics-port}, or the role's default. */
    MetricsServer start(PrometheusMeterRegistry registry, Health health, int roleDefault) {
        return MetricsServer.start(registry, health, port != null ? port : roleDefault);
    }
}
