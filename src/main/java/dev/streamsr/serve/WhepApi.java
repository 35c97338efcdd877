package dev.streamsr.serve;

import dev.streamsr.frame.StreamId;
import dev.streamsr.packager.Rendition;
import dev.streamsr.webrtc.LiveFeeds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHEP (WebRTC-HTTP Egress Protocol, RFC 9725): {@code POST /streams/{id}/whep} with an SDP offer
 * answers 201 with the SDP answer and the session's URL in {@code Location}; {@code DELETE} on that
 * URL ends it. {@code /streams/{id}/source/whep} is the same for the source rendition. The answer
 * carries every ICE candidate, so there is no trickle: {@code PATCH} answers 405, as the RFC allows.
 */
final class WhepApi {
    private static final Logger log = LoggerFactory.getLogger(WhepApi.class);
    private static final String SDP = "application/sdp";
    private static final int MAX_OFFER_BYTES = 64 * 1024;

    private final LiveFeeds feeds;
    private final StreamDirectory streams;

    WhepApi(LiveFeeds feeds, StreamDirectory streams) {
        this.feeds = feeds;
        this.streams = streams;
    }

    void routes(RoutesConfig routes) {
        for (Rendition r : Rendition.values()) {
            String base = r == Rendition.SR ? "/streams/{id}/whep" : "/streams/{id}/source/whep";
            routes.post(base, ctx -> offer(ctx, r));
            routes.options(base, WhepApi::preflight);
            routes.delete(base + "/{session}", ctx -> end(ctx));
            routes.options(base + "/{session}", WhepApi::preflight);
            routes.patch(base + "/{session}", ctx -> ctx.status(405).header("Allow", "DELETE, OPTIONS")
                    .json(Map.of("error", "trickle ICE is not supported: the answer already carries every candidate")));
        }
    }

    private void offer(Context ctx, Rendition rendition) throws Exception {
        String id = ctx.pathParam("id");
        StreamId stream;
        try {
            stream = StreamId.of(id);
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("error", e.getMessage()));
            return;
        }
        if (streams.view(id).isEmpty()) {
            ctx.status(404).json(Map.of("error", "no stream " + id));
            return;
        }
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(SDP)) {
            ctx.status(415).json(Map.of("error", "Content-Type must be " + SDP + " (a WHEP offer), got " + (type == null ? "none" : "'" + type + "'")));
            return;
        }
        byte[] body = StreamApi.boundedBody(ctx, MAX_OFFER_BYTES);
        if (body == null) {
            ctx.status(413).header("Connection", "close").json(Map.of("error", "an SDP offer is at most " + MAX_OFFER_BYTES + " bytes"));
            return;
        }
        LiveFeeds.Session session;
        try {
            session = feeds.open(stream, rendition, new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("error", e.getMessage()));
            return;
        } catch (IllegalStateException e) {
            log.warn("stream {}: WebRTC viewer refused: {}", stream, e.getMessage());
            ctx.status(503).header("Retry-After", "5").json(Map.of("error", e.getMessage()));
            return;
        }
        String location = "/streams/" + id + (rendition == Rendition.SR ? "" : "/source") + "/whep/" + session.id();
        ctx.status(201).header("Location", location).header("Access-Control-Expose-Headers", "Location")
                .contentType(SDP).result(session.answer());
    }

    private void end(Context ctx) {
        String id = ctx.pathParam("id");
        boolean ended;
        try {
            ended = feeds.close(StreamId.of(id), ctx.pathParam("session"));
        } catch (IllegalArgumentException e) {
            ended = false;
        }
        if (ended) {
            ctx.status(200);
        } else {
            ctx.status(404).json(Map.of("error", "no WebRTC session " + ctx.pathParam("session") + " on stream " + id));
        }
    }

    private static void preflight(Context ctx) {
        ctx.status(204).header("Access-Control-Allow-Methods", "POST, DELETE, PATCH, OPTIONS")
                .header("Access-Control-Allow-Headers", "Content-Type, Authorization")
                .header("Access-Control-Expose-Headers", "Location");
    }
}
