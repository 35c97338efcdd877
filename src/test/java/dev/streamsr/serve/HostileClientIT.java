package dev.streamsr.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.StreamAssignment;
import dev.streamsr.ingest.StreamIngest;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamState;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The serve role and its stream API against a client that means harm, through the real HTTP
 * server, the registry on a real broker and real ingest: ids that name directories, symlinks
 * planted in the HLS tree and in an allowed directory, credentials in source URIs, and bodies
 * too large however they are sent.
 */
class HostileClientIT extends EmbeddedBrokerTest {
    private static final String TOKEN = "api-token-1";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;
    private Path hls;
    private Path allowed;
    private StreamRegistry registry;
    private HttpServer http;
    private String base;

    @BeforeEach
    void start() throws Exception {
        TopicAdmin.ensureTopics(kafka, Topics.defaults(), TopicSettings.defaults());
        hls = Files.createDirectories(tmp.resolve("hls"));
        allowed = Files.createDirectories(tmp.resolve("clips"));
        registry = new StreamRegistry(kafka, List.of(allowed));
        http = new HttpServer(new StreamDirectory(hls, Clock.systemUTC()), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new dev.streamsr.metrics.Health("serve")).withStreamApi(new StreamApi(registry, TOKEN, false)).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + http.port();
    }

    @AfterEach
    void stop() {
        http.close();
        registry.close();
    }

    @Test
    void idsThatNameDirectoriesAreRefused() throws Exception {
        for (String id : new String[] {"..", "."}) {
            HttpResponse<String> r = post("{\"id\":\"" + id + "\",\"uri\":\"test://ball?size=64x48&fps=5/1&live=true\"}", TOKEN);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("not stream ids"), r.body());
        }
        assertFalse(registry.list().containsKey("..") || registry.list().containsKey("."), "nothing was registered");
    }

    @Test
    void onlyRegularFilesInsideTheHlsRootAreServed() throws Exception {
        Path sr = Files.createDirectories(hls.resolve("demo/sr"));
        Files.writeString(sr.resolve("index.m3u8"), "#EXTM3U\n");
        Files.write(sr.resolve("segment00000.ts"), new byte[188]);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "root:x:0:0\n");
        Files.createSymbolicLink(sr.resolve("evil.ts"), secret);
        Files.createSymbolicLink(sr.resolve("passwd.m3u8"), Path.of("/etc/passwd"));
        Path outside = Files.createDirectories(tmp.resolve("elsewhere/sr"));
        Files.writeString(outside.resolve("index.m3u8"), "#EXTM3U\n#outside\n");
        Files.createSymbolicLink(hls.resolve("linked"), tmp.resolve("elsewhere"));

        assertEquals(200, get("/streams/demo/index.m3u8").statusCode());
        assertEquals(200, get("/streams/demo/segment00000.ts").statusCode());
        for (String path : new String[] {"/streams/demo/evil.ts", "/streams/demo/passwd.m3u8", "/streams/linked/index.m3u8"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path + ": " + r.body());
            assertFalse(r.body().contains("root:x") || r.body().contains("#outside"), path + " leaked: " + r.body());
        }
        assertFalse(get("/streams").body().contains("linked"), "a linked directory is not listed as a stream");
        assertEquals(404, get("/streams/linked").statusCode());

        // --allow-files is checked on real paths: a link inside an allowed directory cannot lead out of it.
        Files.createSymbolicLink(allowed.resolve("clip.mp4"), secret);
        HttpResponse<String> link = post("{\"id\":\"sneaky\",\"uri\":\"file://" + allowed.resolve("clip.mp4") + "\"}", TOKEN);
        assertEquals(400, link.statusCode(), link.body());
        assertTrue(link.body().contains("outside the allowed directories"), link.body());
        Files.createSymbolicLink(tmp.resolve("clips-link"), allowed);
        Files.write(allowed.resolve("real.mp4"), new byte[16]);
        assertEquals(201, post("{\"id\":\"real\",\"uri\":\"file://" + tmp.resolve("clips-link/real.mp4") + "\"}", TOKEN).statusCode(),
                "a link to a file that really is inside is fine");
    }

    @Test
    void credentialsInSourceUrisAreMaskedInRepliesListingsAndLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        String uri = "rtsp://admin:hunter2@127.0.0.1:9/live?token=abc123xyz&channel=1";
        IngestSettings settings = IngestSettings.defaults().withRetries(-1, Duration.ofMillis(100), Duration.ofMillis(200));
        try (Flow flow = new Flow(kafka)) {
            IngestService ingest = flow.ingest(settings);
            try (StreamAssignment assignment = new StreamAssignment(kafka, "hostile-ingest", ingest, settings, false).start()) {
                HttpResponse<String> created = post("{\"id\":\"lobby\",\"uri\":\"" + uri + "\"}", TOKEN);
                assertEquals(201, created.statusCode(), created.body());
                assertSecretsAbsent("POST reply", created.body());
                assertTrue(created.body().contains("rtsp://admin:***@127.0.0.1:9/live?token=***&channel=1"), created.body());

                String open = get("/api/streams").body();
                assertSecretsAbsent("GET /api/streams without the token", open);
                assertTrue(open.contains("admin:***@"), open);
                assertSecretsAbsent("GET /api/streams/lobby without the token", get("/api/streams/lobby").body());
                assertTrue(get("/api/streams", TOKEN).body().contains(uri), "the token reads the full URI");
                assertTrue(get("/api/streams/lobby", TOKEN).body().contains(uri), "the token reads the full URI");

                // The camera does not answer: ingest retries, logging each attempt and GStreamer's error.
                long deadline = System.currentTimeMillis() + 30_000;
                StreamIngest lobby = null;
                while (System.currentTimeMillis() < deadline) {
                    lobby = ingest.streams().get(StreamId.of("lobby"));
                    if (lobby != null && lobby.state() == StreamState.RECONNECTING && lobby.lastError() != null) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertTrue(lobby != null && lobby.state() == StreamState.RECONNECTING, "the source was tried and failed");
                Thread.sleep(1000);
                assertSecretsAbsent("the source's last error", lobby.lastError());
            }
        } finally {
            root.detachAppender(logs);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            StringBuilder line = new StringBuilder(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getMessage());
            }
            lines.add(line.toString());
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("lobby") && l.contains("admin:***@127.0.0.1:9")),
                "the source is logged, masked: " + lines.stream().filter(l -> l.contains("lobby")).toList());
        for (String l : lines) {
            assertSecretsAbsent("log line", l);
        }
    }

    @Test
    void bodiesAreBoundedHoweverTheyArriveAndMustBeJson() throws Exception {
        // 10 MB, chunked: no Content-Length to trust.
        String head = "{\"id\":\"big\",\"uri\":\"test://ball?x=";
        InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.UTF_8)),
                new InputStream() {
                    long left = 10L << 20;

                    @Override
                    public int read() {
                        return left-- > 0 ? 'a' : -1;
                    }
                },
                new ByteArrayInputStream("\"}".getBytes(StandardCharsets.UTF_8)))));
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/api/streams")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build();
        HttpResponse<String> r;
        try {
            r = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
        } catch (java.io.IOException e) {
            // The server may close the connection before the client has sent it all: refused either way.
        }
        try {
            HttpResponse<String> lengthKnown = post("{\"id\":\"big2\",\"uri\":\"test://ball?x=" + "a".repeat(1 << 20) + "\"}", TOKEN);
            assertEquals(413, lengthKnown.statusCode());
        } catch (java.io.IOException e) {
            // As above.
        }

        HttpResponse<String> longUri = post("{\"id\":\"long\",\"uri\":\"test://ball?x=" + "a".repeat(5000) + "\"}", TOKEN);
        assertEquals(400, longUri.statusCode(), longUri.body());
        assertTrue(longUri.body().contains("at most 4096"), longUri.body());

        HttpRequest text = HttpRequest.newBuilder(URI.create(base + "/api/streams")).header("Content-Type", "text/plain")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"t\",\"uri\":\"test://ball\"}")).build();
        HttpResponse<String> plain = HTTP.send(text, HttpResponse.BodyHandlers.ofString());
        assertEquals(415, plain.statusCode(), plain.body());

        for (String id : new String[] {"big", "big2", "long", "t"}) {
            assertFalse(registry.list().containsKey(id), id + " was stored");
        }
        assertEquals(201, post("{\"id\":\"fine\",\"uri\":\"test://ball\"}", TOKEN).statusCode(), "a normal request still works");
    }

    private static void assertSecretsAbsent(String where, String text) {
        assertFalse(text != null && (text.contains("hunter2") || text.contains("abc123xyz")), where + " leaks a credential: " + text);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/api/streams")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

}
