package dev.streamsr.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.flow.Flows;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TestMedia;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;

/** The player page in real headless Chromium plays both renditions of a live stream from the demo flow. */
class PlayerBrowserIT {
    @TempDir
    Path tmp;

    @Test
    void thePlayerPlaysSourceAndUpscaledSideBySide() throws Exception {
        Path hls = tmp.resolve("hls");
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults());
             Flow flow = new Flow(new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults()))) {
            flow.upscale(false, dev.streamsr.flow.Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 2, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(hls, 1, 6, 10));
            IngestService ingest = flow.ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(160, 120)));
            ingest.start(Source.parse(StreamId.of("lobby"), TestMedia.tenSecondClip().toString(), true));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (HttpServer http = new HttpServer(new StreamDirectory(hls, Clock.systemUTC()), registry, new dev.streamsr.metrics.Health("serve"))
                    .start("127.0.0.1", 0)) {
                String base = "http://127.0.0.1:" + http.port();
                awaitLive(base);
                checkHttpContract(base);
                checkStandardHls(base, hls);

                ChromeDriver driver = dev.streamsr.testing.Chromium.headless(tmp.resolve("chrome-profile"));
                try {
                    driver.get(base + "/?stream=lobby");
                    JavascriptExecutor js = driver;
                    double[] first = times(js);
                    long deadline = System.currentTimeMillis() + 60_000;
                    double[] now = first;
                    while (System.currentTimeMillis() < deadline && !(now[0] > first[0] + 1 && now[1] > first[1] + 1 && first[0] > 0 && first[1] > 0)) {
                        Thread.sleep(500);
                        if (first[0] == 0 || first[1] == 0) {
                            first = times(js);
                        }
                        now = times(js);
                    }
                    assertTrue(now[0] > first[0] + 1, "source video advanced: " + first[0] + " -> " + now[0]);
                    assertTrue(now[1] > first[1] + 1, "upscaled video advanced: " + first[1] + " -> " + now[1]);
                    // The panes show the same source moment: within half a frame (50 ms at 10 fps), and stay there.
                    // Left alone, this light flow's panes sat 52 ms apart; held in step, 16 ms.
                    List<Double> apart = new java.util.ArrayList<>();
                    long syncDeadline = System.currentTimeMillis() + 40_000;
                    int inStep = 0;
                    while (System.currentTimeMillis() < syncDeadline && inStep < 5) {
                        Object v = js.executeScript("return window.streamsrPanesApartMs");
                        double ms = v instanceof Number n ? n.doubleValue() : Double.NaN;
                        apart.add(ms);
                        inStep = Math.abs(ms) <= 50 ? inStep + 1 : 0;
                        Thread.sleep(1000);
                    }
                    System.out.println("panes apart (ms), one sample a second: " + apart);
                    assertEquals(5, inStep, "panes apart (ms), one sample a second: " + apart);
                    assertEquals(640L, js.executeScript("return document.getElementById('upscaled').videoWidth"));
                    assertEquals(160L, js.executeScript("return document.getElementById('source').videoWidth"));

                    // The wipe: one box, the upscaled pane cut at the slider over the source pane.
                    driver.findElement(org.openqa.selenium.By.id("wipe-toggle")).click();
                    js.executeScript("const s = document.getElementById('wipe-slider'); s.value = 40; s.dispatchEvent(new Event('input'));");
                    assertEquals("inset(0px 0px 0px 40%)", js.executeScript("return getComputedStyle(document.getElementById('upscaled')).clipPath"));
                    Object[] boxes = ((java.util.List<?>) js.executeScript("return ['source','upscaled'].map(id => { const r = "
                            + "document.getElementById(id).getBoundingClientRect(); return [r.left, r.top, r.width]; })")).toArray();
                    assertEquals(boxes[0], boxes[1], "both panes in the same box");
                    shot(driver, "wipe.png");
                    driver.findElement(org.openqa.selenium.By.id("wipe-toggle")).click();
                    // The magnifier: the same region of both, pixels not smoothed, and something drawn in each half.
                    driver.findElement(org.openqa.selenium.By.id("magnifier-toggle")).click();
                    Thread.sleep(1500);
                    assertEquals(Boolean.FALSE, js.executeScript("return document.getElementById('magnifier').getContext('2d').imageSmoothingEnabled"));
                    for (int half = 0; half < 2; half++) {
                        Number lit = (Number) js.executeScript("const c = document.getElementById('magnifier'); const d = c.getContext('2d')"
                                + ".getImageData(arguments[0] * c.width / 2, 0, c.width / 2, c.height).data; let n = 0;"
                                + " for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 60) n++; } return n;", half);
                        assertTrue(lit.longValue() > 5_000, (half == 0 ? "source" : "upscaled") + " half of the magnifier has a picture: " + lit);
                    }
                    shot(driver, "magnifier.png");
                    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
                    Path shot = Path.of("target/screenshots/player.png");
                    Files.createDirectories(shot.getParent());
                    Files.write(shot, png);
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
                    Set<Integer> colours = new HashSet<>();
                    for (int y = 0; y < img.getHeight(); y += 4) {
                        for (int x = 0; x < img.getWidth(); x += 4) {
                            colours.add(img.getRGB(x, y) & 0xf0f0f0);
                        }
                    }
                    assertTrue(colours.size() > 200, "screenshot " + shot + " is not blank: " + colours.size() + " colours");
                } finally {
                    driver.quit();
                }
            }
        }
    }

    private static double[] times(JavascriptExecutor js) {
        Object t = js.executeScript("return [document.getElementById('source').currentTime, document.getElementById('upscaled').currentTime]");
        @SuppressWarnings("unchecked")
        List<Number> l = (List<Number>) t;
        return new double[] {l.get(0).doubleValue(), l.get(1).doubleValue()};
    }

    private static void awaitLive(String base) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            var r = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/index.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().split("#EXTINF").length > 3) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no live playlist with 3 segments within 60 s");
    }

    /** Content types, caching, CORS and 404s, checked on the running server the browser uses. */
    /**
     * What other players and tools read: a multivariant playlist with both renditions described,
     * media playlists with wall-clock times and independent segments, readable by other users.
     */
    private static void checkStandardHls(String base, Path hls) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        io.lindstrom.m3u8.model.MasterPlaylist master = null;
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            var r = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/master.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                master = new io.lindstrom.m3u8.parser.MasterPlaylistParser().readPlaylist(r.body());
                if (master.variants().size() == 2) {
                    break;
                }
            }
            Thread.sleep(500);
        }
        assertTrue(master != null && master.variants().size() == 2, "both renditions in master.m3u8: " + master);
        assertTrue(master.independentSegments());
        var sr = master.variants().get(0);
        var source = master.variants().get(1);
        assertEquals("index.m3u8", sr.uri());
        assertEquals("source/index.m3u8", source.uri());
        assertEquals(640, sr.resolution().orElseThrow().width());
        assertEquals(160, source.resolution().orElseThrow().width());
        for (var v : master.variants()) {
            assertTrue(v.codecs().get(0).matches("avc1\\.[0-9A-F]{6}"), "RFC 6381 video codec: " + v.codecs());
            assertTrue(v.bandwidth() > 10_000, "peak bandwidth " + v.bandwidth());
            assertEquals(10.0, v.frameRate().orElseThrow(), 0.01);
        }
        assertTrue(sr.bandwidth() > source.bandwidth(), "the upscaled rendition is the larger one");

        var text = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/index.m3u8")).build(), HttpResponse.BodyHandlers.ofString()).body();
        var media = new io.lindstrom.m3u8.parser.MediaPlaylistParser().readPlaylist(text);
        assertTrue(media.independentSegments(), text);
        var when = media.mediaSegments().get(media.mediaSegments().size() - 1).programDateTime().orElseThrow();
        long ageMs = java.time.Duration.between(when.toInstant(), java.time.Instant.now()).toMillis();
        assertTrue(ageMs >= 0 && ageMs < 30_000, "the last segment's first frame was ingested " + ageMs + " ms ago");
        for (String playlist : new String[] {"lobby/sr/index.m3u8", "lobby/source/index.m3u8"}) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(hls.resolve(playlist))), playlist);
        }
    }

    private static void shot(ChromeDriver driver, String name) throws Exception {
        Path shot = Path.of("target/screenshots/" + name);
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static void checkHttpContract(String base) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        var playlist = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/index.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(playlist.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.apple.mpegurl"));
        assertTrue(playlist.headers().firstValue("Cache-Control").orElse("").contains("no-cache"));
        assertEquals("*", playlist.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        String segment = playlist.body().lines().filter(l -> l.endsWith(".ts")).findFirst().orElseThrow();
        var ts = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/" + segment)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, ts.statusCode());
        assertTrue(ts.headers().firstValue("Content-Type").orElse("").startsWith("video/mp2t"));
        assertEquals(0x47, ts.body()[0], "an MPEG-TS segment starts with the sync byte");
        var src = client.send(HttpRequest.newBuilder(URI.create(base + "/streams/lobby/source/index.m3u8")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, src.statusCode());
        for (String path : List.of("/streams/nope/index.m3u8", "/streams/lobby/..%2F..%2Fetc%2Fpasswd", "/streams/lobby/status.json",
                "/streams/..%2Flobby/index.m3u8", "/nothing")) {
            var r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), path);
        }
        var streams = client.send(HttpRequest.newBuilder(URI.create(base + "/streams")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(streams.body().contains("\"id\":\"lobby\"") && streams.body().contains("\"state\":\"live\"")
                && streams.body().contains("\"width\":640"), streams.body());
        var health = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
    }
}
