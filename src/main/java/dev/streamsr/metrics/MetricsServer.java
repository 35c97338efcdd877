package dev.streamsr.metrics;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/** The HTTP server of a role that has no other: {@code /metrics} for Prometheus and {@code /health}. */
public final class MetricsServer implements AutoCloseable {
    private final Javalin app;

    private MetricsServer(Javalin app) {
        this.app = app;
    }

    /** Port 0 means no server (returns null-safe no-op). */
    public static MetricsServer start(PrometheusMeterRegistry registry, String role, int port) {
        if (port <= 0) {
            return new MetricsServer(null);
        }
        Javalin app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok", "role", role)));
        app.start("0.0.0.0", port);
        return new MetricsServer(app);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
