package dev.streamsr.ingest;

import dev.streamsr.stream.StreamRegistry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.serve.HttpServer;
import dev.streamsr.serve.StreamApi;
import dev.streamsr.serve.StreamDirectory;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream management API on a real broker: streams added and removed over HTTP while others
 * play, the bearer token, validation, and a second ingest instance taking over the streams of
 * one that stops.
 */
class StreamApiIT extends EmbeddedBrokerTest {
    private static final String TOKEN = "s3cret-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void streamsComeAndGoThroughTheApiAndMoveBetweenInstances() throws Exception {
        TopicAdmin.ensureTopics(kafka, Topics.defaults(), TopicSettings.defaults());
        IngestSettings settings = IngestSettings.defaults();
        try (Flow flow = new Flow(kafka);
             StreamRegistry registry = new StreamRegistry(kafka, List.of(tmp));
             HttpServer http = new HttpServer(new StreamDirectory(tmp, Clock.systemUTC()), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                     new dev.streamsr.metrics.Health("serve")).withStreamApi(new StreamApi(registry, TOKEN, false)).start("127.0.0.1", 0)) {
            String api = "http://127.0.0.1:" + http.port() + "/api/streams";
            IngestService a = flow.ingest(settings);
            StreamAssignment assignA = new StreamAssignment(kafka, "it-ingest", a, settings, false).start();

            // Writes need the token; bad input is refused with the reason.
            String cam1 = "{\"id\":\"cam1\",\"uri\":\"test://ball?size=160x120&fps=15/1\"}";
            assertEquals(401, post(api, cam1, null).statusCode());
            assertEquals(401, post(api, cam1, "wrong").statusCode());
            HttpResponse<String> badId = post(api, "{\"id\":\"bad id!\",\"uri\":\"test://ball\"}", TOKEN);
            assertEquals(400, badId.statusCode());
            HttpResponse<String> outside = post(api, "{\"id\":\"etc\",\"uri\":\"file:///etc/passwd\"}", TOKEN);
            assertEquals(400, outside.statusCode());
            assertTrue(outside.body().contains("outside the allowed directories"), outside.body());
            assertEquals(400, post(api, "{\"id\":\"ftp\",\"uri\":\"ftp://host/x\"}", TOKEN).statusCode());
            assertEquals(400, post(api, "not json", TOKEN).statusCode());

            assertEquals(201, post(api, cam1, TOKEN).statusCode());
            assertEquals(201, post(api, "{\"id\":\"cam2\",\"uri\":\"test://smpte?size=160x120&fps=15/1\",\"maxInputSize\":\"80x60\"}", TOKEN).statusCode());
            await("both registered streams ingested by instance A", () -> publishing(a, "cam1") && publishing(a, "cam2"));
            String list = HTTP.send(HttpRequest.newBuilder(URI.create(api)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(list.contains("\"cam1\"") && list.contains("\"cam2\""), list);

            // Removing cam1 leaves cam2 playing, untouched.
            StreamIngest cam2Before = a.streams().get(StreamId.of("cam2"));
            assertEquals(401, delete(api + "/cam1", null).statusCode());
            assertEquals(204, delete(api + "/cam1", TOKEN).statusCode());
            assertEquals(404, delete(api + "/cam1", TOKEN).statusCode());
            await("cam1 stopped", () -> !a.streams().containsKey(StreamId.of("cam1")));
            long before = cam2Before.framesPublished();
            Thread.sleep(1500);
            assertTrue(a.streams().get(StreamId.of("cam2")) == cam2Before, "cam2 was restarted");
            assertTrue(cam2Before.framesPublished() > before, "cam2 stopped publishing when cam1 was removed");

            // A region set and moved through the API reaches the running stream: new size, same StreamIngest, seq goes on.
            String cam2 = api + "/cam2";
            assertEquals(401, patch(cam2, "{\"region\":\"0,0,0.5,0.5\"}", null).statusCode());
            HttpResponse<String> outsideFrame = patch(cam2, "{\"region\":\"0.5,0,0.75,1\"}", TOKEN);
            assertEquals(400, outsideFrame.statusCode());
            assertTrue(outsideFrame.body().contains("is outside the frame"), outsideFrame.body());
            HttpResponse<String> tooSmall = patch(cam2, "{\"region\":\"0,0,0.01,0.5\"}", TOKEN);
            assertEquals(400, tooSmall.statusCode());
            assertTrue(tooSmall.body().contains("too small"), tooSmall.body());
            assertEquals(400, patch(cam2, "{\"uri\":\"test://ball\"}", TOKEN).statusCode());
            assertEquals(404, patch(api + "/nope", "{\"region\":null}", TOKEN).statusCode());
            HttpResponse<String> moved = patch(cam2, "{\"region\":\"0.5,0.5,0.5,0.5\"}", TOKEN);
            assertEquals(200, moved.statusCode(), moved.body());
            assertTrue(moved.body().contains("\"region\":\"0.5,0.5,0.5,0.5\""), moved.body());
            await("cam2 plays its region", () -> cam2Before.region() != null);
            assertTrue(a.streams().get(StreamId.of("cam2")) == cam2Before, "a region move must not restart the stream");
            assertEquals("0.5,0.5,0.5,0.5", String.valueOf(cam2Before.region()));
            assertEquals(200, patch(cam2, "{\"region\":null}", TOKEN).statusCode());
            await("cam2 back to the whole picture", () -> cam2Before.region() == null);

            // A model chosen through the API reaches the running stream's frames, with no restart; a model that is not one is refused.
            assertEquals(null, cam2Before.tuning(), "a test source asks for the default model");
            HttpResponse<String> badModel = patch(cam2, "{\"model\":\"../../etc/passwd\"}", TOKEN);
            assertEquals(400, badModel.statusCode());
            assertTrue(badModel.body().contains("model must be auto, camera or stream"), badModel.body());
            HttpResponse<String> tuned = patch(cam2, "{\"model\":\"stream\"}", TOKEN);
            assertEquals(200, tuned.statusCode(), tuned.body());
            assertTrue(tuned.body().contains("\"model\":\"stream\""), tuned.body());
            await("cam2 asks for the stream model", () -> cam2Before.tuning() == dev.streamsr.frame.Tuning.STREAM);
            assertTrue(a.streams().get(StreamId.of("cam2")) == cam2Before, "a model change must not restart the stream");
            assertEquals(200, patch(cam2, "{\"model\":\"auto\"}", TOKEN).statusCode());
            await("cam2 back to the default model", () -> cam2Before.tuning() == null);

            // An output set through the API: checked, kept in the spec, its key hidden from readers without the token, the source not restarted.
            HttpResponse<String> badOutput = patch(cam2, "{\"output\":\"http://cdn.example/live\"}", TOKEN);
            assertEquals(400, badOutput.statusCode());
            assertTrue(badOutput.body().contains("srt://, rtmp:// or rtsp://"), badOutput.body());
            HttpResponse<String> output = patch(cam2, "{\"output\":\"rtmp://cdn.example/live/secret-key\"}", TOKEN);
            assertEquals(200, output.statusCode(), output.body());
            assertTrue(output.body().contains("rtmp://cdn.example/live/secret-key"), output.body());
            String anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cam2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(anonymous.contains("\"output\":\"rtmp://cdn.example/***\"") && !anonymous.contains("secret-key"), anonymous);
            Thread.sleep(1500);
            assertTrue(a.streams().get(StreamId.of("cam2")) == cam2Before, "an output change must not restart the source");

            // A second instance joins; when A stops, B takes cam2 over.
            IngestService b = flow.ingest(settings);
            StreamAssignment assignB = new StreamAssignment(kafka, "it-ingest", b, settings, false).start();
            Thread.sleep(3000);
            assignA.close();
            a.close();
            await("instance B ingests cam2 after A left", () -> publishing(b, "cam2"));
            assertFalse(b.streams().containsKey(StreamId.of("cam1")), "a removed stream came back");
            assignB.close();
        }
    }

    private static boolean publishing(IngestService s, String id) {
        StreamIngest i = s.streams().get(StreamId.of(id));
        return i != null && i.framesPublished() > 5;
    }

    private static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ok.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for: " + what);
    }

    private static HttpResponse<String> post(String url, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> patch(String url, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String url, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).DELETE();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
