package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.Tuning;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.StreamIngest;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import dev.streamsr.upscale.EngineFactories;
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
 * Each stream gets the model it asks for, and a stream whose model changes while it plays starts
 * its history again on the new one. With the counter model, the prev_latent of a frame is the
 * number of frames of history the stream had on that engine.
 */
class TunedModelsIT extends EmbeddedBrokerTest {
    private static final Path COUNTER = Path.of("src/test/resources/models/counter-x4.onnx");
    private static final int FRAMES = 60;

    @Test
    void eachStreamRunsOnTheModelItAsksForAndAChangeRestartsItsHistory() throws Exception {
        List<Float> standard = Collections.synchronizedList(new ArrayList<>());
        List<Float> camera = Collections.synchronizedList(new ArrayList<>());
        List<Float> stream = Collections.synchronizedList(new ArrayList<>());
        int doorFrames = 0; // a live source may drop a frame it was too slow for: door's count is what was upscaled
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, new EngineFactories(() -> new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), standard, -1),
                            Map.of(Tuning.CAMERA, () -> new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), camera, -1),
                                    Tuning.STREAM, () -> new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), stream, -1))),
                    new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            String live = "test://ball?size=64x48&fps=30/1&live=true&frames=" + FRAMES;
            // A test source asks for no model (auto): the default serves it.
            ingest.start(Source.parse(StreamId.of("plain"), "test://ball?size=64x48&fps=30/1&frames=" + FRAMES, false));
            ingest.start(Source.parse(StreamId.of("broadcast"), "test://ball?size=64x48&fps=30/1&frames=" + FRAMES, false)).tuning(Tuning.STREAM);
            StreamIngest door = ingest.start(Source.parse(StreamId.of("door"), live, false));
            door.tuning(Tuning.CAMERA);
            long deadline = System.currentTimeMillis() + 30_000;
            while (door.framesPublished() < 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            door.tuning(Tuning.STREAM); // an operator switches it while it plays
            assertTrue(ingest.awaitAll(60_000));
            for (var r : TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(90),
                    TopicReader.endedAll("plain", "broadcast", "door"))) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f && f.frame().stream().value().equals("door")) {
                    doorFrames++;
                }
            }
        }
        Map<Integer, Integer> onCamera = counts(camera);
        int before = onCamera.size();
        assertTrue(before >= 20 && before < doorFrames, "door ran on the camera model until the switch: " + onCamera);
        assertEquals(expected(List.of(before)), onCamera, "door's frames before the switch, each once, with a growing history");
        assertEquals(expected(List.of(FRAMES)), counts(standard), "the stream that asked for no model, on the default");
        // broadcast's 60 frames, and door's after the switch with a history that started again at 0.
        assertEquals(expected(List.of(FRAMES, doorFrames - before)), counts(stream), "the stream model's frames");
    }

    private static Map<Integer, Integer> counts(List<Float> seen) {
        Map<Integer, Integer> counts = new TreeMap<>();
        synchronized (seen) {
            seen.forEach(v -> counts.merge(Math.round(v), 1, Integer::sum));
        }
        return counts;
    }

    /** The counts of streams that ran {@code lengths} frames each from a fresh history. */
    private static Map<Integer, Integer> expected(List<Integer> lengths) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int n : lengths) {
            for (int i = 0; i < n; i++) {
                counts.merge(i, 1, Integer::sum);
            }
        }
        return counts;
    }
}
