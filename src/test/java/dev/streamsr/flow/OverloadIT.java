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
import dev.streamsr.ingest.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import dev.streamsr.upscale.UpscaleSettings;
import java.time.Duration;
import java.util.function.Supplier;
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
}
