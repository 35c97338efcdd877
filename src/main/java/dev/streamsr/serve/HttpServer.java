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
    /** The player's hls.js, at the version the pom names: read from the webjar itself, so it is written in one place. */
    static final String HLSJS = "/META-INF/resources/webjars/hls.js/" + webjarVersion("hls.js") + "/dist/hls.min.js";
    private final StreamDirectory streams;
    private final PrometheusMeterRegistry registry;

    private final Health health;
    private StreamApi api;
    private WhepApi whep;
    private Javalin app;

    public HttpServer(StreamDirectory streams, PrometheusMeterRegistry registry, Health health) {
        this.streams = streams;
        this.registry = registry;
        this.health = health;
    }

    /** Adds the stream management API ({@code /api/streams}) on the registry topic. */
    public HttpServer withStreamApi(StreamApi api) {
        this.api = api;
        return this;
    }

    /** Adds WebRTC viewing (WHEP) of both renditions on the streams' live records. */
    public HttpServer withWebRtc(dev.streamsr.webrtc.LiveFeeds feeds) {
        this.whep = new WhepApi(feeds, streams);
        return this;
    }

    /** Javalin takes every route before it starts, so the server is built here. */
    public HttpServer start(String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.defaultContentType = "application/json";
            var routes = cfg.routes;
            routes.before(ctx -> ctx.header("Access-Control-Allow-Origin", "*"));
            routes.get("/health", ctx -> MetricsServer.ready(ctx, health));
            routes.get("/health/ready", ctx -> MetricsServer.ready(ctx, health));
            routes.get("/health/live", ctx -> MetricsServer.live(ctx, health));
            routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
            routes.get("/streams", ctx -> ctx.json(streams.streams()));
            routes.get("/streams/{id}", ctx -> streams.view(ctx.pathParam("id")).ifPresentOrElse(ctx::json, () -> notFound(ctx)));
            routes.get("/streams/{id}/master.m3u8", ctx -> streams.multivariant(ctx.pathParam("id")).ifPresentOrElse(text -> {
                ctx.header("Cache-Control", "no-cache, no-store");
                ctx.contentType("application/vnd.apple.mpegurl");
                ctx.result(text);
            }, () -> notFound(ctx)));
            routes.get("/streams/{id}/source/{file}", ctx -> hls(ctx, Rendition.SOURCE));
            routes.get("/streams/{id}/{file}", ctx -> hls(ctx, Rendition.SR));
            routes.get("/", ctx -> resource(ctx, "/web/index.html", "text/html; charset=utf-8", "no-cache"));
            routes.get("/assets/player.js", ctx -> resource(ctx, "/web/player.js", "text/javascript; charset=utf-8", "no-cache"));
            routes.get("/assets/hls.min.js", ctx -> resource(ctx, HLSJS, "text/javascript; charset=utf-8", "max-age=86400"));
            if (api != null) {
                api.routes(routes);
            }
            if (whep != null) {
                whep.routes(routes);
            }
            routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    ctx.json(Map.of("error", "not found", "path", ctx.path()));
                }
            });
        });
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

    static String webjarVersion(String artifact) {
        var props = new java.util.Properties();
        try (InputStream in = HttpServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " webjar is not on the classpath");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props.getProperty("version");
    }

    private static void notFound(Context ctx) {
        ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "not found", "path", ctx.path()));
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
