package dev.streamsr.metrics;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The HTTP server of a role that has no other: {@code /metrics} for Prometheus and the health endpoints. */
public final class MetricsServer implements AutoCloseable {
    private final Javalin app;

    private MetricsServer(Javalin app) {
        this.app = app;
    }

    /** Port 0 means no server (returns null-safe no-op). */
    public static MetricsServer start(PrometheusMeterRegistry registry, Health health, int port) {
        if (port <= 0) {
            return new MetricsServer(null);
        }
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
            cfg.routes.get("/health", ctx -> ready(ctx, health));
            cfg.routes.get("/health/ready", ctx -> ready(ctx, health));
            cfg.routes.get("/health/live", ctx -> live(ctx, health));
        });
        app.start("0.0.0.0", port);
        return new MetricsServer(app);
    }

    /** 200 when every part of the role is doing its job, else 503 with the parts that are not. */
    public static void ready(Context ctx, Health health) {
        Health.Report r = health.report();
        ctx.status(r.ready() ? 200 : 503).json(r.body());
    }

    /** 200 unless a part cannot recover without a restart. */
    public static void live(Context ctx, Health health) {
        Health.Report r = health.report();
        ctx.status(r.live() ? 200 : 503).json(r.body());
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
