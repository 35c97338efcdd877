package dev.streamsr.serve;

import dev.streamsr.packager.Rendition;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import dev.streamsr.metrics.Health;
import dev.streamsr.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The serve role: playlists and segments of both renditions, {@code /streams}, the player page,
 * {@code /health} (live and ready) and {@code /metrics}. Anything else, including paths that try to leave the HLS
 * root, answers 404.
 */
public final class HttpServer implements AutoCloseable {
    static final String HLSJS = "/META-INF/resources/webjars/hls.js/1.4.12/dist/hls.min.js";
    private final Javalin app;
    private final StreamDirectory streams;
    private final PrometheusMeterRegistry registry;

    public HttpServer(StreamDirectory streams, PrometheusMeterRegistry registry, Health health) {
        this.streams = streams;
        this.registry = registry;
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.defaultContentType = "application/json";
        });
        app.before(ctx -> ctx.header("Access-Control-Allow-Origin", "*"));
        app.get("/health", ctx -> MetricsServer.ready(ctx, health));
        app.get("/health/ready", ctx -> MetricsServer.ready(ctx, health));
        app.get("/health/live", ctx -> MetricsServer.live(ctx, health));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        app.get("/streams", ctx -> ctx.json(streams.streams()));
        app.get("/streams/{id}", ctx -> streams.view(ctx.pathParam("id")).ifPresentOrElse(ctx::json, () -> notFound(ctx)));
        app.get("/streams/{id}/source/{file}", ctx -> hls(ctx, Rendition.SOURCE));
        app.get("/streams/{id}/{file}", ctx -> hls(ctx, Rendition.SR));
        app.get("/", ctx -> resource(ctx, "/web/index.html", "text/html; charset=utf-8", "no-cache"));
        app.get("/assets/player.js", ctx -> resource(ctx, "/web/player.js", "text/javascript; charset=utf-8", "no-cache"));
        app.get("/assets/hls.min.js", ctx -> resource(ctx, HLSJS, "text/javascript; charset=utf-8", "max-age=86400"));
        app.error(404, ctx -> {
            if (ctx.result() == null) {
                ctx.json(Map.of("error", "not found", "path", ctx.path()));
            }
        });
    }

    /** Adds the stream management API ({@code /api/streams}) on the registry topic. */
    public HttpServer withStreamApi(StreamApi api) {
        api.routes(app);
        return this;
    }

    public HttpServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    private void hls(Context ctx, Rendition rendition) throws IOException {
        String file = ctx.pathParam("file");
        var path = streams.file(ctx.pathParam("id"), rendition, file);
        if (path.isEmpty()) {
            notFound(ctx);
            return;
        }
        Path p = path.get();
        if (file.endsWith(".m3u8")) {
            ctx.header("Cache-Control", "no-cache, no-store");
            ctx.contentType("application/vnd.apple.mpegurl");
            ctx.result(Files.readAllBytes(p));
        } else {
            ctx.header("Cache-Control", "max-age=60");
            ctx.contentType("video/mp2t");
            try {
                ctx.result(Files.readAllBytes(p));
            } catch (java.nio.file.NoSuchFileException e) {
                notFound(ctx); // deleted by the rolling playlist between lookup and read
            }
        }
    }

    private static void resource(Context ctx, String name, String type, String cache) {
        try (InputStream in = HttpServer.class.getResourceAsStream(name)) {
            if (in == null) {
                notFound(ctx);
                return;
            }
            ctx.header("Cache-Control", cache);
            ctx.contentType(type);
            ctx.result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void notFound(Context ctx) {
        ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "not found", "path", ctx.path()));
    }

    @Override
    public void close() {
        app.stop();
    }
}
