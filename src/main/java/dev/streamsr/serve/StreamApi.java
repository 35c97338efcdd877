package dev.streamsr.serve;

import dev.streamsr.frame.StreamId;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamSpec;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET/POST /api/streams}, {@code GET/DELETE /api/streams/{id}} on the stream registry.
 * Writes need {@code Authorization: Bearer <token>}; reads too when {@code protectReads}. A read
 * without the token shows URIs with their credentials masked.
 */
public final class StreamApi {
    private static final Logger log = LoggerFactory.getLogger(StreamApi.class);
    /** A stream spec is a few hundred bytes; this bounds a body however it arrives (chunked included). */
    static final int MAX_BODY_BYTES = 16 * 1024;
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

    void routes(RoutesConfig app) {
        app.get("/api/streams", ctx -> {
            if (authorized(ctx, protectReads)) {
                boolean full = hasToken(ctx);
                ctx.json(registry.list().values().stream().map(s -> full ? s : s.masked()).toList());
            }
        });
        app.get("/api/streams/{id}", ctx -> {
            if (authorized(ctx, protectReads)) {
                StreamSpec s = registry.list().get(ctx.pathParam("id"));
                if (s == null) {
                    ctx.status(404).json(Map.of("error", "no stream " + ctx.pathParam("id")));
                } else {
                    ctx.json(hasToken(ctx) ? s : s.masked());
                }
            }
        });
        app.post("/api/streams", ctx -> {
            if (!authorized(ctx, true)) {
                return;
            }
            byte[] body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            StreamSpec spec;
            try {
                spec = StreamSpec.fromJson(body).validate(registry.fileRoots());
            } catch (IllegalArgumentException e) {
                ctx.status(400).json(Map.of("error", e.getMessage()));
                return;
            }
            registry.put(spec);
            ctx.status(201).header("Location", "/api/streams/" + spec.id()).json(spec.masked());
        });
        // A partial update while the stream plays: {"region": "0.5,0.25,0.25,0.5"} moves its region (null: the whole picture),
        // {"output": "srt://nvr:9000"} sends its upscaled rendition somewhere else (null: nowhere),
        // {"model": "stream"} switches the model its frames get from the next frame on (null: auto).
        app.patch("/api/streams/{id}", ctx -> {
            if (!authorized(ctx, true)) {
                return;
            }
            byte[] body = jsonBody(ctx);
            if (body == null) {
                return;
            }
            StreamSpec current = registry.list().get(ctx.pathParam("id"));
            if (current == null) {
                ctx.status(404).json(Map.of("error", "no stream " + ctx.pathParam("id")));
                return;
            }
            StreamSpec changed;
            try {
                var patch = PATCH_JSON.readTree(body);
                java.util.Set<String> keys = new java.util.HashSet<>();
                patch.fieldNames().forEachRemaining(keys::add);
                if (!patch.isObject() || keys.isEmpty() || !java.util.Set.of("region", "output", "model").containsAll(keys)) {
                    throw new IllegalArgumentException("a PATCH changes the region, the output and the model only: {\"region\": \"x,y,w,h\"}, "
                            + "{\"output\": \"srt://host:port\"}, {\"model\": \"auto|camera|stream\"}; null removes the region or the output");
                }
                changed = current;
                if (patch.has("region")) {
                    changed = changed.withRegion(patch.get("region").isNull() ? null : patch.get("region").asText());
                }
                if (patch.has("output")) {
                    changed = changed.withOutput(patch.get("output").isNull() ? null : patch.get("output").asText());
                }
                if (patch.has("model")) {
                    changed = changed.withModel(patch.get("model").isNull() ? null : patch.get("model").asText());
                }
                changed = changed.validate(registry.fileRoots());
            } catch (java.io.IOException e) {
                ctx.status(400).json(Map.of("error", "not JSON: " + e.getMessage()));
                return;
            } catch (IllegalArgumentException e) {
                ctx.status(400).json(Map.of("error", e.getMessage()));
                return;
            }
            registry.put(changed);
            ctx.status(200).json(hasToken(ctx) ? changed : changed.masked());
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

    /** A JSON body within the bound, or null once the answer (415 or 413, with the reason) is set. */
    private static byte[] jsonBody(Context ctx) throws IOException {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            ctx.status(415).json(Map.of("error", "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'")));
            return null;
        }
        byte[] body = boundedBody(ctx, MAX_BODY_BYTES);
        if (body == null) {
            ctx.status(413).header("Connection", "close").json(Map.of("error", "request body larger than " + MAX_BODY_BYTES + " bytes"));
        }
        return body;
    }

    /**
     * The body, read from the stream rather than trusted from Content-Length (a chunked body has
     * none); null once it passes the bound, without reading the rest.
     */
    static byte[] boundedBody(Context ctx, int maxBytes) throws IOException {
        if (ctx.req().getContentLengthLong() > maxBytes) {
            return null;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            return body.length > maxBytes ? null : body;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PATCH_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private boolean hasToken(Context ctx) {
        String h = ctx.header("Authorization");
        byte[] given = h != null && h.startsWith("Bearer ") ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        return MessageDigest.isEqual(given, token);
    }

    private boolean authorized(Context ctx, boolean required) {
        if (!required || hasToken(ctx)) {
            return true;
        }
        String h = ctx.header("Authorization");
        log.warn("stream API: {} {} refused from {} ({})", ctx.method(), ctx.path(), ctx.ip(), h == null ? "no token" : "wrong token");
        ctx.status(401).header("WWW-Authenticate", "Bearer").json(Map.of("error", "a valid bearer token is required"));
        return false;
    }
}
