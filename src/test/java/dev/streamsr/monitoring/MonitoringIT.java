package dev.streamsr.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamsr.testing.TestMedia;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a running {@code streamsr demo} (embedded broker,
 * vtest.avi); every query of every dashboard panel is evaluated through Prometheus's HTTP API and
 * must return data; every metric the dashboards and alert rules name must be on /metrics; the
 * alert rules load into Prometheus and pass promtool's checks and unit tests.
 */
class MonitoringIT {
    private static final Pattern PLAYER = Pattern.compile("http://localhost:(\\d+)/\\?stream=");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path tmp;
    static Process demo;
    static Process prometheus;
    static String metricsBase;
    static String promBase;

    @BeforeAll
    static void startDemoAndPrometheus() throws Exception {
        ensurePrometheus();
        Path demoLog = tmp.resolve("demo.log");
        demo = new ProcessBuilder(TestMedia.root().resolve("bin/streamsr").toString(), "demo", "--http-port", "0",
                "--hls-dir", tmp.resolve("hls").toString(), "--clip", TestMedia.vtest().toString(),
                "--model", "bicubic-x4", "--max-input-size", "320x240")
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
                 var log = Files.newBufferedWriter(demoLog)) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.write(line + "\n");
                    log.flush();
                    Matcher m = PLAYER.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new IllegalStateException("demo exited; its output is in " + demoLog));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        });
        metricsBase = "http://127.0.0.1:" + port.get(120, TimeUnit.SECONDS);

        int promPort = freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: streamsr
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['%s']
                """.formatted(Dashboards.rules(), metricsBase.substring("http://".length())));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        promBase = "http://127.0.0.1:" + promPort;
        awaitData();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {prometheus, demo}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(40, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        boolean gpu = value("sum(streamsr_gpu_devices)") > 0;
        List<String> empty = new ArrayList<>();
        int evaluated = 0;
        int skipped = 0;
        for (Dashboards.Query q : Dashboards.queries()) {
            String expr = Dashboards.resolve(q.expr(), "demo");
            JsonNode result = query(expr);
            if (q.gpuOnly() && !gpu) {
                // No NVIDIA GPU here: the panel must be empty rather than show made-up data.
                assertEquals(0, result.size(), q + " returned data on a machine without a GPU");
                skipped++;
                continue;
            }
            evaluated++;
            if (result.isEmpty()) {
                empty.add(q.toString());
            }
        }
        System.out.printf("MonitoringIT: %d panel queries returned data; %d GPU-only queries empty as expected (no GPU)%n", evaluated, skipped);
        assertTrue(empty.isEmpty(), "panel queries without data:\n" + String.join("\n", empty));
        assertTrue(evaluated >= 40, "too few queries evaluated: " + evaluated);
    }

    @Test
    void theStreamVariableListsTheDemoStream() throws Exception {
        JsonNode values = get(promBase + "/api/v1/label/stream/values?match[]=" + enc("streamsr_ingest_frames_total")).path("data");
        assertTrue(values.toString().contains("\"demo\""), "stream variable values: " + values);
    }

    @Test
    void everyMetricNamedByDashboardsAndRulesIsExposed() throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(metricsBase + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exposed = new TreeSet<>();
        text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> exposed.add(l.split("[{ ]", 2)[0]));
        boolean gpu = exposed.contains("streamsr_gpu_utilization");
        Set<String> used = new TreeSet<>();
        Dashboards.queries().forEach(q -> used.addAll(Dashboards.metricNames(q.expr())));
        Dashboards.ruleExpressions().forEach(e -> used.addAll(Dashboards.metricNames(e)));
        Set<String> missing = new TreeSet<>();
        for (String name : used) {
            if (!exposed.contains(name) && !(name.startsWith("streamsr_gpu_") && !gpu)) {
                missing.add(name);
            }
        }
        assertTrue(exposed.contains("streamsr_gpu_devices"), "streamsr_gpu_devices must be exposed with or without a GPU");
        assertTrue(missing.isEmpty(), "named by dashboards or rules but not on /metrics: " + missing);
        assertTrue(used.size() > 20, "suspiciously few metric names parsed: " + used);
    }

    @Test
    void alertRulesLoadIntoPrometheusAndEvaluateCleanly() throws Exception {
        JsonNode groups = get(promBase + "/api/v1/rules").path("data").path("groups");
        List<String> names = new ArrayList<>();
        for (JsonNode g : groups) {
            for (JsonNode r : g.path("rules")) {
                names.add(r.path("name").asText());
                assertEquals("ok", r.path("health").asText(), r.path("name") + ": " + r.path("lastError"));
            }
        }
        assertEquals(List.of("StreamSRStreamStalled", "StreamSROutputBelowInput", "StreamSRLatencyHigh",
                "StreamSRConsumerLagGrowing", "StreamSRDeadLetters", "StreamSRReconnectStorm"), names);
        // A healthy demo pages nobody.
        JsonNode alerts = get(promBase + "/api/v1/alerts").path("data").path("alerts");
        for (JsonNode a : alerts) {
            assertTrue(!"firing".equals(a.path("state").asText()), "alert firing on a healthy demo: " + a);
        }
    }

    @Test
    void promtoolChecksAndUnitTestsTheRules() throws Exception {
        Path dir = Dashboards.rules().getParent();
        run(dir, "promtool", "check", "rules", "streamsr.rules.yml");
        String out = run(dir, "promtool", "test", "rules", "streamsr.rules.test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    private static void awaitData() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            // Both renditions segmented, lag measured, and enough scrapes for rate() over 30 s windows.
            if (value("min(streamsr_hls_segments_total{stream=\"demo\"})") >= 3
                    && value("count(streamsr_consumer_lag)") >= 1
                    && value("count_over_time(up{job=\"streamsr\"}[1m])") >= 20
                    && value("min(up{job=\"streamsr\"})") == 1) {
                return;
            }
            Thread.sleep(1000);
        }
        fail("no data in Prometheus within 180 s; see " + tmp.resolve("demo.log") + " and " + tmp.resolve("prometheus.log"));
    }

    private static double value(String expr) {
        try {
            JsonNode r = query(expr);
            return r.isEmpty() ? Double.NaN : Double.parseDouble(r.get(0).path("value").get(1).asText());
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static JsonNode query(String expr) throws Exception {
        JsonNode body = get(promBase + "/api/v1/query?query=" + enc(expr));
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed: " + expr + ": " + body);
        }
        return body.path("data").path("result");
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Dashboards.JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    /** Debian's prometheus package provides prometheus and promtool; install it when missing (CI runs as root). */
    private static void ensurePrometheus() throws Exception {
        if (onPath("prometheus") && onPath("promtool")) {
            return;
        }
        Process p = new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", "prometheus")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !onPath("prometheus")) {
            fail("Debian's prometheus package is needed and could not be installed (./setup test installs it):\n" + out);
        }
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
