package dev.streamsr.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.flow.Flows;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.StreamAssignment;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.Health;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.stream.Region;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamSpec;
import dev.streamsr.testing.Flow;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/** An operator drags a region on the player's source pane, with the API token, and the region's stream plays. */
class RegionPlayerIT {
    private static final String TOKEN = "region-player-token";

    @TempDir
    Path tmp;

    @Test
    void draggingARegionOnTheSourcePaneZoomsTheStreamToIt() throws Exception {
        Path hls = tmp.resolve("hls");
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults())) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults());
            TopicAdmin.ensureTopics(kafka, Topics.defaults(), TopicSettings.defaults());
            try (Flow flow = new Flow(kafka);
                 StreamRegistry registry = new StreamRegistry(kafka, List.of());
                 HttpServer http = new HttpServer(new StreamDirectory(hls, Clock.systemUTC()), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                         new Health("serve")).withStreamApi(new StreamApi(registry, TOKEN, false)).start("127.0.0.1", 0)) {
                flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 2, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
                flow.packager(new HlsSettings(hls, 1, 6, 10));
                IngestService ingest = flow.ingest(IngestSettings.defaults());
                StreamAssignment assignment = new StreamAssignment(kafka, "region-player", ingest, IngestSettings.defaults(), false).start();
                registry.put(new StreamSpec("gate", "test://smpte?size=320x240&fps=10/1&live=true", null, true));
                String base = "http://127.0.0.1:" + http.port();

                ChromeDriver driver = dev.streamsr.testing.Chromium.headless(tmp.resolve("chrome"));
                try {
                    driver.get(base + "/?stream=gate");
                    JavascriptExecutor js = driver;
                    await("the whole picture plays", () -> width(js, "source") == 320, 60);
                    driver.findElement(By.id("region-toggle")).click();
                    driver.findElement(By.id("token")).sendKeys(TOKEN);
                    // Drag from a quarter to three quarters of the picture: the middle half.
                    WebElement video = driver.findElement(By.id("source"));
                    @SuppressWarnings("unchecked")
                    List<Number> p = (List<Number>) js.executeScript("const v = arguments[0], r = v.getBoundingClientRect();"
                            + " const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);"
                            + " return [(r.width - v.videoWidth * s) / 2, (r.height - v.videoHeight * s) / 2, v.videoWidth * s, v.videoHeight * s, r.width, r.height];", video);
                    double left = p.get(0).doubleValue(), top = p.get(1).doubleValue(), w = p.get(2).doubleValue(), h = p.get(3).doubleValue();
                    int cx = (int) Math.round(p.get(4).doubleValue() / 2);
                    int cy = (int) Math.round(p.get(5).doubleValue() / 2);
                    int x0 = (int) Math.round(left + 0.25 * w) - cx;
                    int y0 = (int) Math.round(top + 0.25 * h) - cy;
                    Actions drag = new Actions(driver).moveToElement(video, x0, y0).clickAndHold()
                            .moveByOffset((int) Math.round(0.25 * w), (int) Math.round(0.25 * h))
                            .moveByOffset((int) Math.round(0.25 * w), (int) Math.round(0.25 * h));
                    drag.perform();
                    shot(driver, "region.png");
                    new Actions(driver).release().perform();

                    await("the API has the region", () -> registry.list().get("gate").region() != null, 20);
                    Region set = Region.parse(registry.list().get("gate").region());
                    assertEquals(0.25, set.x(), 0.02);
                    assertEquals(0.25, set.y(), 0.02);
                    assertEquals(0.5, set.w(), 0.02);
                    assertEquals(0.5, set.h(), 0.02);
                    // The region's stream plays: both panes switch to the crop's size and keep playing.
                    await("the source pane shows the region", () -> width(js, "source") == 160, 60);
                    await("the upscaled pane shows it x4", () -> width(js, "upscaled") == 640, 60);
                    double t = time(js);
                    await("and plays on", () -> time(js) > t + 1, 30);
                    String status = driver.findElement(By.id("region-status")).getText();
                    assertTrue(status.startsWith("region 0.2"), status);
                    shot(driver, "region-playing.png");
                } finally {
                    driver.quit();
                    assignment.close();
                }
            }
        }
    }

    private static long width(JavascriptExecutor js, String id) {
        Object v = js.executeScript("return document.getElementById(arguments[0]).videoWidth", id);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static double time(JavascriptExecutor js) {
        Object v = js.executeScript("return document.getElementById('upscaled').currentTime");
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    private static void await(String what, BooleanSupplier ok, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(250);
        }
    }

    private static void shot(ChromeDriver driver, String name) throws Exception {
        Path shot = Path.of("target/screenshots/" + name);
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
