package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/**
 * Several streams on one stream thread share one engine and its buffers, their frames
 * interleaved. Each stream's temporal state must still be its own: with the counter model, the
 * prev_latent of a stream's frame n is n (frames of history), whatever ran in between.
 */
class LatentContinuityIT extends EmbeddedBrokerTest {
    private static final Path COUNTER = Path.of("src/test/resources/models/counter-x4.onnx");
    private static final int FRAMES = 60;

    @Test
    void interleavedStreamsEachKeepTheirOwnLatent() throws Exception {
        List<String> ids = List.of("north", "south", "east");
        try (Flow flow = new Flow(kafka)) {
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            for (String id : ids) {
                ingest.start(Source.parse(StreamId.of(id), "test://ball?size=64x48&fps=30/1&frames=" + FRAMES, false));
            }
            assertTrue(ingest.awaitAll(60_000));
            List<Float> seen = Collections.synchronizedList(new ArrayList<>());
            flow.upscale(false, () -> new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), seen, -1),
                    new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(90),
                    TopicReader.endedAll(ids.toArray(String[]::new)));
            // Every stream contributes the counts 0..FRAMES-1 once: a latent taken from another stream, or a stale one, breaks it.
            Map<Integer, Integer> counts = new TreeMap<>();
            synchronized (seen) {
                seen.forEach(v -> counts.merge(Math.round(v), 1, Integer::sum));
            }
            Map<Integer, Integer> expected = new TreeMap<>();
            for (int i = 0; i < FRAMES; i++) {
                expected.put(i, ids.size());
            }
            assertEquals(expected, counts);
        }
    }
}
