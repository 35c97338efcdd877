package dev.streamsr.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.Engines;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.stream.Source;
import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.Servers;
import dev.streamsr.upscale.UpscaleService;
import dev.streamsr.upscale.UpscaleSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health through real roles on a real broker: what a Kubernetes probe would see. */
class HealthIT {
    private static final HttpClient client = HttpClient.newHttpClient();

    private record Answer(int status, String body) {
    }

    private static Answer get(int port, String path) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    private static Answer await(int port, String path, Predicate<Answer> until, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer a = get(port, path);
        while (!until.test(a) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            a = get(port, path);
        }
        return a;
    }


    /**
     * The case that used to crash-loop with health saying ok: a model file that cannot be opened.
     * The stream thread is not replaced again and again; the client stops, live answers 503 with
     * the reason, and the command's callback fires so it can exit non-zero.
     */
    @Test
    void anEngineThatCannotOpenMakesTheUpscalerNotLive(@TempDir Path tmp) throws Exception {
        Path broken = Files.write(tmp.resolve("broken.onnx"), "this is not an ONNX model".getBytes());
        int port = Servers.freePort();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults())) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults());
            try (Flow flow = new Flow(kafka);
                 BrokerProbe probe = new BrokerProbe(kafka, Duration.ofSeconds(2));
                 UpscaleService upscaler = new UpscaleService(kafka, flow.topics,
                         new UpscaleSettings("health-it", false, true, 1, Duration.ofMillis(100), UpscaleSettings.defaults().encoder()),
                         () -> Engines.open("onnxruntime", broken, 1), registry, StreamThreadExceptionResponse.REPLACE_THREAD);
                 Health health = new Health("upscale").add("kafka", probe).add("upscale", upscaler.health());
                 MetricsServer server = MetricsServer.start(registry, health, port)) {
                CountDownLatch stopped = new CountDownLatch(1);
                upscaler.onError(stopped::countDown);
                Answer starting = get(port, "/health/ready");
                assertEquals(503, starting.status(), "not ready before the stream threads run: " + starting.body());
                upscaler.start();
                // No frame yet, so no engine yet: running and ready.
                Answer ready = await(port, "/health/ready", a -> a.status() == 200, Duration.ofSeconds(30));
                assertEquals(200, ready.status(), ready.body());
                assertTrue(ready.body().contains("\"kafka\":{\"live\":true,\"ready\":true,\"state\":\"reachable\""), ready.body());

                flow.ingest(IngestSettings.defaults()).start(Source.parse(new StreamId("cam"), "test://ball?frames=5&size=64x48", false));
                assertTrue(stopped.await(60, TimeUnit.SECONDS), "the client stopped instead of replacing its thread forever");
                Answer live = await(port, "/health/live", a -> a.status() == 503, Duration.ofSeconds(10));
                assertEquals(503, live.status(), live.body());
                assertTrue(live.body().contains("\"status\":\"down\"") && live.body().contains("engine failed")
                        && live.body().contains("broken.onnx"), live.body());
                assertEquals(503, get(port, "/health").status());
            }
        }
    }

    /** A broker that goes away makes an ingest role not ready (still live) within seconds, and ready again when it is back. */
    @Test
    void theBrokerGoingAwayMakesTheRoleNotReadyUntilItIsBack(@TempDir Path data) throws Exception {
        int kafkaPort = Servers.freePort();
        int port = Servers.freePort();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EmbeddedKafka broker = EmbeddedKafka.start(data, kafkaPort, FrameLimits.defaults());
        try {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults());
            try (Flow flow = new Flow(kafka);
                 BrokerProbe probe = new BrokerProbe(kafka, Duration.ofSeconds(2))) {
                IngestService ingest = flow.ingest(IngestSettings.defaults());
                ingest.start(Source.parse(new StreamId("lobby"), "test://ball?live=true&fps=10/1&size=64x48", false));
                try (Health health = new Health("ingest").add("kafka", probe).add("sources", ingest.health());
                     MetricsServer server = MetricsServer.start(registry, health, port)) {
                    Answer up = await(port, "/health/ready", a -> a.status() == 200 && a.body().contains("playing,"), Duration.ofSeconds(30));
                    assertEquals(200, up.status(), up.body());
                    assertTrue(up.body().contains("\"lobby\":\"playing, "), "the source's state is in the detail: " + up.body());

                    broker.close();
                    Answer down = await(port, "/health/ready", a -> a.status() == 503, Duration.ofSeconds(20));
                    assertEquals(503, down.status(), down.body());
                    assertTrue(down.body().contains("\"state\":\"unreachable\"") && down.body().contains(broker.bootstrapServers()), down.body());
                    assertEquals(200, get(port, "/health/live").status(), "a broker outage is not a reason to restart the process");

                    broker = EmbeddedKafka.start(data, kafkaPort, FrameLimits.defaults());
                    Answer back = await(port, "/health/ready", a -> a.status() == 200, Duration.ofSeconds(30));
                    assertEquals(200, back.status(), back.body());
                }
            }
        } finally {
            broker.close();
        }
    }
}
