package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.ModelInfo;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import dev.streamsr.upscale.UpscaleSettings;
import dev.streamsr.frame.WallClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/**
 * An upscaler slower than its input with --max-lag: frames older than the limit are skipped and
 * counted instead of piling up, every frame is either upscaled or counted, and the stream still ends.
 */
class OverloadIT extends EmbeddedBrokerTest {
    /** The real bicubic engine, made slower than the input. */
    static Supplier<Engine> slow(long millis) {
        return () -> {
            Engine real = Flows.BICUBIC.get();
            return new Engine() {
                @Override
                public ModelInfo model() {
                    return real.model();
                }

                @Override
                public String backend() {
                    return real.backend();
                }

                @Override
                public EngineBuffers buffers(int batch, int height, int width) {
                    return real.buffers(batch, height, width);
                }

                @Override
                public void run(EngineBuffers buffers) {
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    real.run(buffers);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        };
    }

    @Test
    void framesOlderThanMaxLagAreSkippedAndCounted() throws Exception {
        try (Flow flow = new Flow(kafka)) {
            UpscaleSettings settings = UpscaleSettings.defaults().withEncoder(new EncoderSettings("ultrafast", 23, 1, 1))
                    .withMaxLag(Duration.ofMillis(400));
            flow.upscale(settings, slow(200), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            // A live source at 10 fps for 8 s; at 200 ms a frame the upscaler manages 5.
            ingest.start(Source.parse(StreamId.of("busy"), "test://ball?live=true&fps=10/1&size=160x120&frames=80", false));
            assertTrue(ingest.awaitAll(60_000));
            var sr = TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(60), TopicReader.endedAll("busy"));
            long upscaled = sr.stream().filter(r -> FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord).count();
            double skipped = flow.registry.get("streamsr.frames.dropped").tags("stream", "busy", "reason", "max-lag").counter().count();
            var counter = flow.registry.find("streamsr.upscale.frames").tag("stream", "busy").counter();
            assertTrue(skipped > 20, "an upscaler twice too slow skipped only " + skipped + " of 80 frames");
            assertTrue(upscaled >= 10, "only " + upscaled + " frames upscaled: the output did not stay live");
            assertEquals(upscaled, counter == null ? 0 : (long) counter.count());
            assertEquals(80, upscaled + (long) skipped, "every frame is upscaled or counted as skipped");
        }
    }

    /**
     * Four live streams at 30 fps against an engine that manages 25 frames a second in all, with
     * the default bound of the upscale command: each stream gets about a quarter of the engine
     * (streams that share a partition included), the output stays live, and every frame is upscaled
     * or counted as skipped with its reason. Fairness is judged over the time all four were live: on a
     * loaded machine the sources start and end up to seconds apart, and a stream alone at the end
     * rightly has the engine to itself.
     */
    @Test
    void fourLiveStreamsShareAnOverloadedEngineFairlyAndStayLive() throws Exception {
        List<String> ids = List.of("cam-a", "cam-b", "cam-c", "cam-d");
        Duration maxLag = Duration.ofSeconds(1);
        Map<String, List<Long>> upscaled = new ConcurrentHashMap<>(); // ingest times of each stream's upscaled frames
        List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
        try (Flow flow = new Flow(kafka)) {
            UpscaleSettings settings = UpscaleSettings.defaults().withEncoder(new EncoderSettings("ultrafast", 23, 1, 1)).withMaxLag(maxLag);
            flow.upscale(settings, slow(40), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread reader = Thread.ofPlatform().start(() -> {
                try (var c = new KafkaConsumer<byte[], byte[]>(kafka.consumer("overload-watch", true))) {
                    c.subscribe(List.of(flow.topics.sr()));
                    while (reading.get()) {
                        for (var r : c.poll(Duration.ofMillis(100))) {
                            if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                                latenciesMs.add((WallClock.nowNanos() - f.frame().ingestNanos()) / 1_000_000);
                                upscaled.computeIfAbsent(f.frame().stream().value(), k -> Collections.synchronizedList(new ArrayList<>()))
                                        .add(f.frame().ingestNanos());
                            }
                        }
                    }
                }
            });
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            for (String id : ids) {
                ingest.start(Source.parse(StreamId.of(id), "test://ball?live=true&fps=30/1&size=160x120&frames=300", false));
            }
            assertTrue(ingest.awaitAll(60_000));
            TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(60), TopicReader.endedAll(ids.toArray(String[]::new)));
            Thread.sleep(500);
            reading.set(false);
            reader.join(5_000);

            // The time all four sources were ingesting, from the LR topic's frames.
            Map<String, LongSummaryStatistics> ingested = TopicReader.readUntil(kafka, flow.topics.lr(), true, Duration.ofSeconds(30),
                            TopicReader.endedAll(ids.toArray(String[]::new))).stream()
                    .map(r -> FrameHeaders.decode(r.key(), r.headers(), r.value()))
                    .flatMap(d -> d instanceof Decoded.FrameRecord f ? Stream.of(f.frame()) : Stream.empty())
                    .collect(Collectors.groupingBy(f -> f.stream().value(), Collectors.summarizingLong(f -> f.ingestNanos())));
            long from = ingested.values().stream().mapToLong(LongSummaryStatistics::getMin).max().orElseThrow();
            long to = ingested.values().stream().mapToLong(LongSummaryStatistics::getMax).min().orElseThrow();
            assertTrue(to - from > 5_000_000_000L, "the four sources were live together for only " + (to - from) / 1_000_000 + " ms");
            Map<String, Long> together = new TreeMap<>();
            for (String id : ids) {
                together.put(id, upscaled.getOrDefault(id, List.of()).stream().filter(t -> t >= from && t <= to).count());
            }
            long max = Collections.max(together.values());
            for (String id : ids) {
                long in = (long) flow.registry.get("streamsr.ingest.frames").tag("stream", id).counter().count();
                double late = count(flow, id, "max-lag");
                double fair = count(flow, id, "fair-share");
                long out = upscaled.getOrDefault(id, List.of()).size();
                System.out.printf("%s: in %d, upscaled %d (%d while all were live), skipped max-lag %.0f, fair-share %.0f%n", id, in, out,
                        together.get(id), late, fair);
                assertEquals(300, in);
                assertEquals(in, out + (long) late + (long) fair, id + ": every frame is upscaled or counted as skipped");
                assertTrue(together.get(id) >= 0.7 * max, id + " got " + together.get(id) + " frames while all four were live, the busiest "
                        + max + ": " + together);
            }
            List<Long> sorted = latenciesMs.stream().sorted().toList();
            long p99 = sorted.get((int) Math.floor(0.99 * (sorted.size() - 1)));
            System.out.printf("ingest -> SR record: p50 %d ms, p99 %d ms over %d frames%n", sorted.get(sorted.size() / 2), p99, sorted.size());
            assertTrue(p99 < maxLag.toMillis() + 600, "latency p99 " + p99 + " ms; the bound is " + maxLag.toMillis() + " ms");
        }
    }

    private static double count(Flow flow, String stream, String reason) {
        var c = flow.registry.find("streamsr.frames.dropped").tags("stream", stream, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
