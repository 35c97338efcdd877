package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** Records that break the contract go to the dead-letter topic with a reason; the streams around them carry on. */
class DeadLetterIT extends EmbeddedBrokerTest {


    @Test
    void badRecordsOnTheLrTopicGoToTheDeadLetterTopicAndTheStreamContinues() throws Exception {
        try (Flow flow = new Flow(kafka);
             var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("vandal"))) {
            flow.upscale(false, EndToEndIT.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            ingest.start(Source.parse(StreamId.of("cam"), "test://ball?size=64x48&fps=25/1&frames=50&live=true", false));

            Thread.sleep(500); // let the first frames through, then break the contract mid-stream
            String lr = flow.topics.lr();
            producer.send(new ProducerRecord<>(lr, "cam".getBytes(StandardCharsets.UTF_8), new byte[64 * 48 * 3])).get();
            Frame good = new Frame(StreamId.of("cam"), 10_000, 0, 64, 48, FrameFormat.RGB, false, 1, "25/1", new byte[64 * 48 * 3]);
            producer.send(new ProducerRecord<>(lr, null, good.stream().toKey(), new byte[100], FrameHeaders.of(good))).get();
            Headers nv12 = FrameHeaders.of(good);
            nv12.remove(FrameHeaders.FORMAT);
            nv12.add(FrameHeaders.FORMAT, "NV12".getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(lr, null, good.stream().toKey(), good.payload(), nv12)).get();
            producer.send(new ProducerRecord<>(lr, null, "bad key!".getBytes(StandardCharsets.UTF_8), good.payload(), FrameHeaders.of(good))).get();
            assertTrue(ingest.awaitAll(60_000));

            var dlq = TopicReader.readUntil(kafka, flow.topics.dlq(), true, Duration.ofSeconds(60), r -> r.size() >= 4);
            Map<String, String> reasons = new TreeMap<>();
            for (var r : dlq) {
                reasons.put(text(r.headers(), FrameHeaders.DLQ_REASON), new String(r.key(), StandardCharsets.UTF_8));
                assertEquals(lr, text(r.headers(), FrameHeaders.DLQ_TOPIC));
                assertTrue(!text(r.headers(), FrameHeaders.DLQ_DETAIL).isBlank());
            }
            assertEquals(Map.of(
                    ContractViolation.MISSING_HEADER, "cam",
                    ContractViolation.WRONG_PAYLOAD_SIZE, "cam",
                    ContractViolation.UNKNOWN_FORMAT, "cam",
                    ContractViolation.BAD_KEY, "bad key!"), reasons, "each bad record is in the DLQ with its reason and original key");

            var sr = TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(60), TopicReader.endedAll("cam"));
            List<Long> seqs = new ArrayList<>();
            for (var r : sr) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                    seqs.add(f.frame().seq());
                }
            }
            assertEquals(50, seqs.size(), "every good frame was upscaled: " + seqs);
            assertEquals(0L, seqs.get(0));
            assertEquals(49L, seqs.get(49));
            assertEquals(4.0, flow.registry.find("streamsr.dlq.records").counters().stream().mapToDouble(c -> c.count()).sum());
        }
    }

    private static String text(Headers h, String key) {
        return new String(h.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
