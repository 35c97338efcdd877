package dev.streamsr.serve;

import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.StreamRegistry;
import dev.streamsr.ingest.StreamSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET/POST /api/streams}, {@code GET/DELETE /api/streams/{id}} on the stream registry.
 * Writes need {@code Authorization: Bearer <token>}; reads too when {@code protectReads}.
 */
public final class StreamApi {
    private static final Logger log = LoggerFactory.getLogger(StreamApi.class);
    private final StreamRegistry registry;
    private final byte[] token;
    private final boolean protectReads;

    public StreamApi(StreamRegistry registry, String token, boolean protectReads) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the stream API needs a bearer token for writes (--api-token)");
        }
        this.registry = registry;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.protectReads = protectReads;
    }

    void routes(Javalin app) {
        app.get("/api/streams", ctx -> {
            if (authorized(ctx, protectReads)) {
                ctx.json(registry.list().values());
            }
        });
        app.get("/api/streams/{id}", ctx -> {
            if (authorized(ctx, protectReads)) {
                StreamSpec s = registry.list().get(ctx.pathParam("id"));
                if (s == null) {
                    ctx.status(404).json(Map.of("error", "no stream " + ctx.pathParam("id")));
                } else {
                    ctx.json(s);
                }
            }
        });
        app.post("/api/streams", ctx -> {
            if (!authorized(ctx, true)) {
                return;
            }
            StreamSpec spec;
            try {
                spec = StreamSpec.fromJson(ctx.bodyAsBytes()).validate(registry.fileRoots());
            } catch (IllegalArgumentException e) {
                ctx.status(400).json(Map.of("error", e.getMessage()));
                return;
            }
            registry.put(spec);
            ctx.status(201).header("Location", "/api/streams/" + spec.id()).json(spec);
        });
        app.delete("/api/streams/{id}", ctx -> {
            if (!authorized(ctx, true)) {
                return;
            }
            StreamId id;
            try {
                id = StreamId.of(ctx.pathParam("id"));
            } catch (IllegalArgumentException e) {
                ctx.status(400).json(Map.of("error", e.getMessage()));
                return;
            }
            if (!registry.list().containsKey(id.value())) {
                ctx.status(404).json(Map.of("error", "no stream " + id));
                return;
            }
            registry.delete(id);
            ctx.status(204);
        });
    }

    private boolean authorized(Context ctx, boolean required) {
        if (!required) {
            return true;
        }
        String h = ctx.header("Authorization");
        byte[] given = h != null && h.startsWith("Bearer ") ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (MessageDigest.isEqual(given, token)) {
            return true;
        }
        log.warn("stream API: {} {} refused from {} ({})", ctx.method(), ctx.path(), ctx.ip(), h == null ? "no token" : "wrong token");
        ctx.status(401).header("WWW-Authenticate", "Bearer").json(Map.of("error", "a valid bearer token is required"));
        return false;
    }
}
