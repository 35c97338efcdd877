package dev.streamsr.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.Meters;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.Servers;
import dev.streamsr.testing.TimecodeCamera;
import dev.streamsr.webrtc.IceServers;
import dev.streamsr.webrtc.LiveFeeds;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The player over WebRTC in real headless Chromium, from a live UDP camera through ingest,
 * Kafka, the upscaler and serve's WHEP endpoints. The camera burns the wall clock into every
 * frame, so the page reads glass-to-glass latency off the picture it shows, and whether the two
 * panes show the same frame. A second stream runs beside it as load. The model is bicubic unless
 * {@code -Dwebrtc.model=streamsr-tiny-x4} names another (how bench/results.md's figures were made).
 */
class WebRtcBrowserIT {
    private static final int W = 320;
    private static final int H = 180;
    private static final int FPS = 30;

    @TempDir
    Path tmp;

    @Test
    void thePlayerShowsTheUpscaledCameraOverWebRtcWithinAFractionOfASecondAndBothPanesInStep() throws Exception {
        String model = System.getProperty("webrtc.model", "bicubic-x4");
        int port = Servers.freePort();
        Path hls = tmp.resolve("hls");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults());
             Flow flow = new Flow(new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults()));
             TimecodeCamera camera = new TimecodeCamera(port, W, H, FPS)) {
            // Key frames 4 s apart: a new viewer that sees a picture sooner got it by asking for one.
            // With the product's live policy (frames more than 1 s late are skipped), as an operator runs it.
            flow.upscale(dev.streamsr.upscale.UpscaleSettings.defaults().withEncoder(new EncoderSettings("ultrafast", 21, 2, 4))
                    .withMaxLag(java.time.Duration.ofSeconds(1)), () -> new OnnxRuntimeEngine(Path.of("models/" + model + ".onnx"), 2),
                    StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(hls, 1, 6, 10));
            IngestService ingest = flow.ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(W, H)));
            ingest.start(Source.parse(StreamId.of("cam"), "udp://127.0.0.1:" + port, true));
            // The load: a second, smaller camera upscaled beside it (two 320x180 streams at 30 fps and Chromium's decoding do not fit 2 cores).
            ingest.start(Source.parse(StreamId.of("load"), "test://ball?size=160x90&fps=15/1&live=true", true));
            try (LiveFeeds feeds = new LiveFeeds(flow.kafka, flow.topics, new EncoderSettings("ultrafast", 21, 1, 4), IceServers.none(), 8, registry);
                 HttpServer http = new HttpServer(new StreamDirectory(hls, Clock.systemUTC()), registry, new dev.streamsr.metrics.Health("serve"))
                         .withWebRtc(feeds).start("127.0.0.1", 0)) {
                String base = "http://127.0.0.1:" + http.port();
                awaitStream(base, "cam");
                checkWhepContract(base);

                ChromeDriver driver = dev.streamsr.testing.Chromium.headless(tmp.resolve("chrome-profile"));
                try {
                    long opened = System.currentTimeMillis();
                    driver.get(base + "/?stream=cam");
                    JavascriptExecutor js = driver;
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (System.currentTimeMillis() < deadline && !Boolean.TRUE.equals(js.executeScript(
                            "return document.getElementById('upscaled').videoWidth > 0 && document.getElementById('source').videoWidth > 0"))) {
                        Thread.sleep(50);
                    }
                    long shown = System.currentTimeMillis() - opened;
                    assertEquals("WebRTC", js.executeScript("return document.getElementById('sr-transport').textContent"));
                    assertEquals("WebRTC", js.executeScript("return document.getElementById('source-transport').textContent"));
                    assertEquals(1280L, js.executeScript("return document.getElementById('upscaled').videoWidth"));
                    assertEquals(320L, js.executeScript("return document.getElementById('source').videoWidth"));
                    System.out.println("page open to both panes showing a picture over WebRTC: " + shown + " ms");
                    // The upscaled pane's session carries the camera's audio (Opus, from the stream's AAC).
                    long audioDeadline = System.currentTimeMillis() + 15_000;
                    long audioBytes = 0;
                    while (System.currentTimeMillis() < audioDeadline && audioBytes < 10_000) {
                        Thread.sleep(500);
                        Object got = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[0];"
                                + " streamsrPlayers.upscaled.pc.getStats().then(r => { let n = 0;"
                                + " r.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') { n += s.bytesReceived; } }); done(n); });");
                        audioBytes = ((Number) got).longValue();
                    }
                    assertTrue(audioBytes >= 10_000, "Opus bytes received on the upscaled pane: " + audioBytes);
                    assertEquals(1L, js.executeScript("return document.getElementById('upscaled').srcObject.getAudioTracks().length"));

                    js.executeScript(TimecodeCamera.pageReader(W)
                            + "window.shown = { source: [], upscaled: [] };"
                            + "const m = " + (1 << TimecodeCamera.BITS) + "; window.codesApart = (a, b) => ((a - b) % m + m + m / 2) % m - m / 2;"
                            + "['source', 'upscaled'].forEach(id => { const v = document.getElementById(id);"
                            + "  const cb = (now, meta) => { const c = timecode(v);"
                            + "    if (c !== null) { shown[id].push([meta.expectedDisplayTime, c]); }"
                            + "    v.requestVideoFrameCallback(cb); };"
                            + "  v.requestVideoFrameCallback(cb); });"
                            // At each frame the upscaled pane presents, the source pane's frame on screen then.
                            + "window.inStep = () => { const s = shown.source, out = []; let j = 0;"
                            + "  for (const [t, c] of shown.upscaled) { while (j + 1 < s.length && s[j + 1][0] <= t) { j++; }"
                            + "    if (s.length && s[j][0] <= t) { out.push(codesApart(s[j][1], c)); } } return out; };"
                            // How old each presented frame's time code was when it was displayed: glass to glass.
                            + "window.ages = id => shown[id].map(([t, c]) => timecodeAge(c, performance.timeOrigin + t));"
                            + "window.apart = [];"
                            + "setInterval(() => { const a = timecode(document.getElementById('source')), b = timecode(document.getElementById('upscaled'));"
                            + "  if (a !== null && b !== null) { apart.push(codesApart(a, b)); } }, 200);");
                    // 30 s of play under load, then the last 10 s of it are what counts.
                    Thread.sleep(20_000);
                    js.executeScript("shown.source.length = 0; shown.upscaled.length = 0; apart.length = 0;");
                    String pipeBefore = pipeline(flow.registry);
                    double upscaledBefore = upscaled(flow.registry);
                    String browserBefore = inbound(driver);
                    Thread.sleep(10_000);
                    double sent = upscaled(flow.registry) - upscaledBefore;
                    System.out.println("upscaler over the 10 s window, before: " + pipeBefore + "; after: " + pipeline(flow.registry));
                    System.out.println("Chromium inbound video over the 10 s window, before: " + browserBefore + "; after: " + inbound(driver));
                    List<Double> up = numbers(js.executeScript("return ages('upscaled')"));
                    List<Double> src = numbers(js.executeScript("return ages('source')"));
                    List<Double> apart = numbers(js.executeScript("return apart"));
                    List<Double> inStep = numbers(js.executeScript("return inStep()"));
                    System.out.printf("model %s, %dx%d -> %dx%d at %d fps, glass-to-glass over WebRTC (ms): upscaled p50 %.0f p90 %.0f p99 %.0f (%d frames); source p50 %.0f p90 %.0f (%d frames)%n",
                            model, W, H, 4 * W, 4 * H, FPS, pct(up, 50), pct(up, 90), pct(up, 99), up.size(), pct(src, 50), pct(src, 90), src.size());
                    System.out.printf("at each upscaled frame presented, the source pane's frame then (source minus upscaled, ms): p10 %.0f p50 %.0f p90 %.0f (%d frames)%n",
                            pct(inStep, 10), pct(inStep, 50), pct(inStep, 90), inStep.size());
                    System.out.printf("panes apart every 200 ms, upscaled frames skipped included (ms): p10 %.0f p50 %.0f p90 %.0f, in order: %s%n",
                            pct(apart, 10), pct(apart, 50), pct(apart, 90), numbersRaw(js.executeScript("return apart")));
                    System.out.println("playout delay (ingest to send) " + feeds.delayMs(StreamId.of("cam")) + " ms");
                    // The picture is live: the time codes read back are from the last second or two, not garbage and not seconds old like HLS.
                    assertTrue(pct(up, 50) > 0 && pct(up, 50) < 1500, "upscaled glass-to-glass p50 " + pct(up, 50) + " ms");
                    // How many frames the upscaler makes here is the machine's speed (bench e2e measures it): on 2 loaded
                    // AVX2 cores it upscaled 9-26 of the camera's 30 a second, skipping the rest by design. The page
                    // must show what it is sent: Chromium presented 62-70% of the upscaled frames in five runs (its
                    // compositor drops frames of the 720p pane on loaded cores; it decodes nearly all), a stalled pane none.
                    assertTrue(up.size() >= 0.4 * sent && up.size() > 30, "upscaled frames presented in 10 s: " + up.size() + " of " + (long) sent + " upscaled");
                    assertTrue(src.size() > 150, "source frames presented in 10 s: " + src.size());
                    // Both panes show the same camera frame: whenever the upscaled pane presents a frame, the source
                    // pane shows that frame, within one frame (33 ms at 30 fps) at the median and two for nine in
                    // ten (Chromium's compositor on 2 loaded cores presents one pane a frame late now and then),
                    // plus half a frame for the few ms between the two callbacks. A playout out of step shows as
                    // hundreds of ms. Measured at the upscaled pane's presentations, not at random moments: a
                    // machine that cannot upscale every frame (the upscaler skips frames under load, by design)
                    // holds the upscaled picture between frames, which is fewer frames, not frames out of step.
                    assertTrue(inStep.size() >= up.size() - 2, "upscaled presentations with a source frame on screen: " + inStep.size() + " of " + up.size());
                    assertTrue(Math.abs(pct(inStep, 50)) <= 34, "panes apart (ms), median: " + inStep);
                    assertTrue(Math.abs(pct(inStep, 10)) <= 83 && Math.abs(pct(inStep, 90)) <= 83, "panes apart (ms): " + inStep);

                    checkKeyframeOnRequest(base, driver, registry);

                    // The wipe and the magnifier work on the WebRTC panes as on HLS.
                    driver.findElement(org.openqa.selenium.By.id("wipe-toggle")).click();
                    js.executeScript("const s = document.getElementById('wipe-slider'); s.value = 50; s.dispatchEvent(new Event('input'));");
                    Thread.sleep(500);
                    shot(driver, "webrtc-wipe.png");
                    driver.findElement(org.openqa.selenium.By.id("wipe-toggle")).click();
                    driver.findElement(org.openqa.selenium.By.id("magnifier-toggle")).click();
                    Thread.sleep(1000);
                    Number lit = (Number) js.executeScript("const c = document.getElementById('magnifier'); const d = c.getContext('2d')"
                            + ".getImageData(c.width / 2, 0, c.width / 2, c.height).data; let n = 0;"
                            + " for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 60) n++; } return n;");
                    assertTrue(lit.longValue() > 5_000, "the magnifier shows the upscaled WebRTC picture: " + lit);
                    shot(driver, "webrtc-magnifier.png");
                } finally {
                    driver.quit();
                }
                // The page's sessions end with it: DELETE on unload, or the sweep once the browser is gone.
                long gone = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < gone && viewers(registry) > 0) {
                    Thread.sleep(500);
                }
                assertEquals(0.0, viewers(registry), "viewers left after the browser quit");
            }
        }
    }

    /**
     * A new viewer gets a key frame at once: the upscaler's are 4 s apart, and three viewers in a
     * row each get their first one within a second (a chance of about 1 in 60 without the request).
     */
    private static void checkKeyframeOnRequest(String base, ChromeDriver driver, PrometheusMeterRegistry registry) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String offer = (String) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[0]; const pc = new RTCPeerConnection();"
                + " pc.addTransceiver('video', { direction: 'recvonly' }); pc.createOffer().then(o => { done(o.sdp); pc.close(); });");
        var timer = registry.find(Meters.WEBRTC_START).timer();
        for (int i = 0; i < 3; i++) {
            long before = timer == null ? 0 : timer.count();
            double totalBefore = timer == null ? 0 : timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
            var r = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/cam/whep")).header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
            timer = registry.find(Meters.WEBRTC_START).timer();
            long deadline = System.currentTimeMillis() + 6_000;
            while (System.currentTimeMillis() < deadline && (timer == null || timer.count() == before)) {
                Thread.sleep(100);
                timer = registry.find(Meters.WEBRTC_START).timer();
            }
            assertTrue(timer != null && timer.count() > before, "viewer " + i + " got a key frame");
            double last = timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) - totalBefore;
            String location = r.headers().firstValue("Location").orElseThrow();
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + location)).DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            System.out.println("viewer " + i + ": offer to first key frame " + last + " ms");
            assertTrue(last < 1000, "offer to first key frame " + last + " ms, with key frames 4 s apart");
            Thread.sleep(700);
        }
    }

    /** What a WHEP client that gets it wrong is told. */
    private static void checkWhepContract(String base) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        var wrongType = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/cam/whep")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, wrongType.statusCode(), wrongType.body());
        var garbage = post(client, base + "/streams/cam/whep", "hello");
        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().contains("v=0"), garbage.body());
        String vp8Only = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
                + "a=rtpmap:96 VP8/90000\r\na=recvonly\r\n";
        var noH264 = post(client, base + "/streams/cam/whep", vp8Only);
        assertEquals(400, noH264.statusCode());
        assertTrue(noH264.body().contains("no H.264"), noH264.body());
        assertEquals(404, post(client, base + "/streams/nosuch/whep", vp8Only).statusCode());
        String bare = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n";
        var incomplete = post(client, base + "/streams/cam/whep", bare);
        assertEquals(400, incomplete.statusCode(), "an offer webrtcbin cannot take is the client's error: " + incomplete.body());
        assertTrue(incomplete.body().contains("a=mid"), incomplete.body());
        assertEquals(400, post(client, base + "/streams/../whep", vp8Only).statusCode() / 100 * 100);
        var tooBig = post(client, base + "/streams/cam/whep", "v=0\r\n" + "a=x\r\n".repeat(20_000));
        assertEquals(413, tooBig.statusCode());
        var delete = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/cam/whep/no-such-session")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, delete.statusCode());
        var patch = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/cam/whep/x")).method("PATCH", HttpRequest.BodyPublishers.ofString("a=candidate"))
                .header("Content-Type", "application/trickle-ice-sdpfrag").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, patch.statusCode());
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitStream(String base, String id) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            var r = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/" + id)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().contains("\"output\"") && !r.body().contains("\"output\":null")) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("stream " + id + " not upscaled within 60 s");
    }

    private static double upscaled(io.micrometer.core.instrument.MeterRegistry registry) {
        return registry.find(Meters.UPSCALE_FRAMES).tag("stream", "cam").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The cam stream's upscaled and dropped frame counts, by reason. */
    private static String pipeline(io.micrometer.core.instrument.MeterRegistry registry) {
        StringBuilder b = new StringBuilder();
        registry.find(Meters.UPSCALE_FRAMES).tag("stream", "cam").counters().forEach(c -> b.append("upscaled ").append((long) c.count()));
        registry.find(Meters.FRAMES_DROPPED).tag("stream", "cam").counters().forEach(c -> b.append(", dropped ")
                .append(c.getId().getTag("reason")).append(' ').append((long) c.count()));
        return b.toString();
    }

    /** Each pane's received, decoded and dropped frames and its jitter buffer, as Chromium counts them. */
    private static String inbound(ChromeDriver driver) {
        return String.valueOf(((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[0];"
                + " Promise.all(['source', 'upscaled'].map(id => streamsrPlayers[id].pc.getStats().then(r => { let o = id;"
                + "  r.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') { o += ' received ' + s.framesReceived"
                + "   + ' decoded ' + s.framesDecoded + ' dropped ' + s.framesDropped + ' decode ms ' + Math.round(1000 * s.totalDecodeTime)"
                + "   + ' jitter buffer ms ' + Math.round(1000 * s.jitterBufferDelay / Math.max(1, s.jitterBufferEmittedCount)); } }); return o; })))"
                + ".then(a => done(a.join('; ')));"));
    }

    private static double viewers(PrometheusMeterRegistry registry) {
        return registry.find(Meters.WEBRTC_VIEWERS).gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    private static List<Double> numbers(Object o) {
        List<Double> out = new ArrayList<>();
        for (Object x : (List<?>) o) {
            out.add(((Number) x).doubleValue());
        }
        out.sort(null);
        return out;
    }

    private static List<Object> numbersRaw(Object o) {
        return new ArrayList<>((List<?>) o);
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get((int) Math.floor(p / 100.0 * (sorted.size() - 1)));
    }

    private static void shot(ChromeDriver driver, String name) throws Exception {
        Path file = Path.of("target/screenshots").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
