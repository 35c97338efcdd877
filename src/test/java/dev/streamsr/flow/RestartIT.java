package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.TestMedia;
import dev.streamsr.testing.TopicReader;
import dev.streamsr.upscale.UpscaleService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** The upscale role dies mid-stream and a new instance takes over: exactly-once output, and history with a changelog. */
class RestartIT extends EmbeddedBrokerTest {
    private static final Path COUNTER = Path.of("src/test/resources/models/counter-x4.onnx");
    private static final int CRASH_AT = 60;

    private record Outcome(List<Long> seqs, List<Float> afterRestart) {
    }

    private Outcome crashAndRestart(boolean changelog) throws Exception {
        return crashAndRestart(changelog, null);
    }

    /** {@code version}: the instance that takes over runs the model under this version (null: the same model). */
    private Outcome crashAndRestart(boolean changelog, String version) throws Exception {
        EncoderSettings encoder = new EncoderSettings("ultrafast", 23, 1, 1);
        try (Flow flow = new Flow(kafka)) {
            IngestService ingest = flow.ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(160, 120)));
            ingest.start(Source.parse(StreamId.of("cam"), TestMedia.tenSecondClip().toString(), false));
            assertTrue(ingest.awaitAll(60_000));

            List<Float> before = Collections.synchronizedList(new ArrayList<>());
            UpscaleService first = flow.upscale(changelog, () -> new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), before, CRASH_AT),
                    encoder, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            long deadline = System.currentTimeMillis() + 60_000;
            while (first.state() != KafkaStreams.State.ERROR && first.state() != KafkaStreams.State.NOT_RUNNING
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(CRASH_AT - 1, before.size(), "the first instance died at call " + CRASH_AT);
            first.close();

            List<Float> after = Collections.synchronizedList(new ArrayList<>());
            flow.upscale(changelog, () -> {
                        RecordingEngine engine = new RecordingEngine(new OnnxRuntimeEngine(COUNTER, 1), after, -1);
                        return version == null ? engine : engine.asVersion(version);
                    },
                    encoder, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            var records = TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(90), TopicReader.endedAll("cam"));
            List<Long> seqs = new ArrayList<>();
            for (var r : records) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                    seqs.add(f.frame().seq());
                }
            }
            return new Outcome(seqs, new ArrayList<>(after));
        }
    }

    private static void assertExactlyOnce(List<Long> seqs) {
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, seqs, "every output frame exactly once, in order, across the crash");
    }

    @Test
    void restoresLatentAfterFailoverWithAChangelog() throws Exception {
        Outcome o = crashAndRestart(true);
        assertExactlyOnce(o.seqs());
        int resumedAt = 100 - o.afterRestart().size();
        assertTrue(resumedAt > 0 && resumedAt < CRASH_AT, "the new instance resumed at committed frame " + resumedAt);
        assertEquals(resumedAt, o.afterRestart().get(0), 0.0f,
                "the first frame after the restart ran with the restored latent (history of " + resumedAt + " frames)");
        assertEquals(99f, o.afterRestart().get(o.afterRestart().size() - 1), 0.0f);
    }

    @Test
    void startsAFreshHistoryAfterFailoverWithoutAChangelog() throws Exception {
        Outcome o = crashAndRestart(false);
        assertExactlyOnce(o.seqs());
        assertEquals(0f, o.afterRestart().get(0), 0.0f, "in-memory state is gone: the first frame after the restart has no history");
    }

    @Test
    void startsAFreshHistoryWhenTheInstanceThatTakesOverRunsAnotherModel() throws Exception {
        Outcome o = crashAndRestart(true, "redeployed");
        assertExactlyOnce(o.seqs());
        int resumedAt = 100 - o.afterRestart().size();
        assertTrue(resumedAt > 0 && resumedAt < CRASH_AT, "the new instance resumed at committed frame " + resumedAt);
        assertEquals(0f, o.afterRestart().get(0), 0.0f,
                "the restored latent was written by another model version: the first frame after the restart has no history");
        assertEquals(99f - resumedAt, o.afterRestart().get(o.afterRestart().size() - 1), 0.0f,
                "the history grows again from the takeover");
    }
}
