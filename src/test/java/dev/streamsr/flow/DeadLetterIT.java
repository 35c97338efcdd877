package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
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
            Frame good = new Frame(StreamId.of("cam"), 10_000, 0, 64, 48, FrameFormat.RGB, false, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[64 * 48 * 3]);
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

    /**
     * What ingest would never publish, written straight to the topic: a stream id that names a
     * directory, frames over --max-frame-size, an odd side. The upscaler dead-letters each with its
     * reason, the source rendition skips it, nothing lands outside the HLS root, and the good
     * stream's source rendition keeps one timeline (it used to fail and restart).
     */
    @Test
    void everyRoleThatAcceptsFramesAppliesTheSameContract(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        var small = new dev.streamsr.kafka.KafkaSettings(kafka.bootstrapServers(), null,
                new dev.streamsr.kafka.FrameLimits(new dev.streamsr.frame.FrameSize(320, 240)));
        java.nio.file.Path hls = tmp.resolve("hls");
        try (Flow flow = new Flow(small);
             var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("vandal"))) {
            flow.upscale(false, EndToEndIT.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            flow.packager(new dev.streamsr.packager.HlsSettings(hls, 1, 0, 0));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            ingest.start(Source.parse(StreamId.of("cam"), "test://ball?size=64x48&fps=25/1&frames=75&live=true", false));

            Thread.sleep(1000);
            String lr = flow.topics.lr();
            for (String dir : new String[] {"..", "."}) {
                Frame f = new Frame(new StreamId("x"), 0, 0, 64, 48, FrameFormat.RGB, false, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[64 * 48 * 3]);
                producer.send(new ProducerRecord<>(lr, null, dir.getBytes(StandardCharsets.UTF_8), f.payload(), FrameHeaders.of(f))).get();
            }
            Frame big = new Frame(StreamId.of("cam"), 20_000, 0, 640, 480, FrameFormat.RGB, false, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[640 * 480 * 3]);
            producer.send(new ProducerRecord<>(lr, null, big.stream().toKey(), big.payload(), FrameHeaders.of(big))).get();
            Frame line = new Frame(StreamId.of("cam"), 20_001, 0, 65_535, 1, FrameFormat.RGB, false, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[65_535 * 3]);
            producer.send(new ProducerRecord<>(lr, null, line.stream().toKey(), line.payload(), FrameHeaders.of(line))).get();
            Frame odd = new Frame(StreamId.of("cam"), 20_002, 0, 63, 47, FrameFormat.RGB, false, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[63 * 47 * 3]);
            producer.send(new ProducerRecord<>(lr, null, odd.stream().toKey(), odd.payload(), FrameHeaders.of(odd))).get();
            assertTrue(ingest.awaitAll(60_000));

            var dlq = TopicReader.readUntil(kafka, flow.topics.dlq(), true, Duration.ofSeconds(60), r -> r.size() >= 5);
            List<String> reasons = new ArrayList<>();
            for (var r : dlq) {
                reasons.add(new String(r.key(), StandardCharsets.UTF_8) + " " + text(r.headers(), FrameHeaders.DLQ_REASON));
            }
            java.util.Collections.sort(reasons);
            assertEquals(List.of(". " + ContractViolation.BAD_KEY, ".. " + ContractViolation.BAD_KEY, "cam " + ContractViolation.BAD_HEADER,
                    "cam " + ContractViolation.OVERSIZE, "cam " + ContractViolation.OVERSIZE), reasons);

            var sr = TopicReader.readUntil(kafka, flow.topics.sr(), true, Duration.ofSeconds(60), TopicReader.endedAll("cam"));
            long upscaled = sr.stream().filter(r -> FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f
                    && f.frame().width() == 256).count();
            assertEquals(75, upscaled, "only the good frames were upscaled, all of them");
            assertEquals(75, sr.stream().filter(r -> FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord).count());

            java.nio.file.Path playlist = hls.resolve("cam/source/index.m3u8");
            long deadline = System.currentTimeMillis() + 30_000;
            while (!(java.nio.file.Files.isRegularFile(playlist) && java.nio.file.Files.readString(playlist).contains("#EXT-X-ENDLIST"))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            String source = java.nio.file.Files.readString(playlist);
            assertTrue(source.contains("#EXT-X-ENDLIST"), source);
            assertFalse(source.contains("#EXT-X-DISCONTINUITY"), "the source rendition kept one timeline:\n" + source);
            assertEquals(3.0, flow.registry.get("streamsr.frames.dropped").tag("stream", "cam").tag("reason", "invalid").counter().count(),
                    "the source rendition counted what it skipped");
            try (var left = java.nio.file.Files.list(tmp)) {
                assertEquals(List.of(hls), left.toList(), "nothing was written beside the HLS root");
            }
            try (var streams = java.nio.file.Files.list(hls)) {
                assertEquals(List.of(hls.resolve("cam")), streams.toList(), "no directory for '.' or '..' inside it either");
            }
        }
    }

    private static String text(Headers h, String key) {
        return new String(h.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
