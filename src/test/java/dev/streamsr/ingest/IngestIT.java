package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.StreamState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.TestMedia;
import dev.streamsr.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest on a real embedded broker with real GStreamer pipelines and a real clip. */
class IngestIT extends EmbeddedBrokerTest {
    private static final AtomicInteger TOPIC = new AtomicInteger();

    @TempDir
    Path tmp;

    private record Run(Topics topics, IngestService service, KafkaProducer<byte[], byte[]> producer, SimpleMeterRegistry registry)
            implements AutoCloseable {
        @Override
        public void close() {
            service.close();
            producer.close();
        }
    }

    private static Run ingest(IngestSettings settings) {
        int n = TOPIC.incrementAndGet();
        Topics topics = Topics.prefixed("it" + n);
        TopicAdmin.ensureTopics(kafka, topics, new TopicSettings(4, (short) 1, 600_000));
        var registry = new SimpleMeterRegistry();
        var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("it"));
        return new Run(topics, new IngestService(settings, new KafkaFrameSink(producer, topics, registry), registry), producer, registry);
    }

    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> byStream(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        records.forEach(r -> out.computeIfAbsent(new String(r.key()), k -> new ArrayList<>()).add(r));
        return out;
    }

    /** Asserts the records of one stream are frames 0..n-1 in order, increasing PTS, one size, one partition, then EOS. */
    private static void assertOrderedFrames(List<ConsumerRecord<byte[], byte[]>> records, int expected, FrameSize size) {
        Set<Integer> partitions = new HashSet<>();
        long lastPts = -1;
        int frames = 0;
        for (var r : records) {
            partitions.add(r.partition());
            Decoded d = FrameHeaders.decode(r.key(), r.headers(), r.value());
            if (d instanceof Decoded.EndRecord end) {
                assertEquals(expected, end.end().frames());
                continue;
            }
            Frame f = ((Decoded.FrameRecord) d).frame();
            assertEquals(frames, f.seq(), "seq must be gap-free from 0");
            assertTrue(f.ptsNanos() > lastPts, "PTS must increase: " + f.ptsNanos() + " after " + lastPts);
            lastPts = f.ptsNanos();
            assertEquals(size, f.size());
            frames++;
        }
        assertEquals(expected, frames, "every frame of the clip becomes one record");
        assertEquals(1, partitions.size(), "a stream stays on one partition");
    }

    @Test
    void ingestsEveryFrameOfAClipInOrder() throws Exception {
        int clipFrames = TestMedia.countFrames(TestMedia.vtest());
        assertTrue(clipFrames > 700, "vtest.avi has " + clipFrames + " frames");
        try (Run run = ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(320, 240)))) {
            StreamIngest s = run.service().start(Source.parse(StreamId.of("vtest"), TestMedia.vtest().toString(), false));
            assertTrue(run.service().awaitAll(120_000));
            assertEquals(StreamState.ENDED, s.state(), String.valueOf(s.lastError()));
            var records = TopicReader.readUntil(kafka, run.topics().lr(), false, Duration.ofSeconds(60), TopicReader.endedAll("vtest"));
            assertOrderedFrames(byStream(records).get("vtest"), clipFrames, new FrameSize(320, 240));
        }
    }

    @Test
    void twoStreamsIngestedAtOnceEachKeepTheirOrder() throws Exception {
        try (Run run = ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(160, 120)))) {
            run.service().start(Source.parse(StreamId.of("a"), TestMedia.vtest().toString(), false));
            run.service().start(Source.parse(StreamId.of("b"), "test://ball?size=320x240&fps=30/1&frames=300", false));
            assertTrue(run.service().awaitAll(120_000));
            var streams = byStream(TopicReader.readUntil(kafka, run.topics().lr(), false, Duration.ofSeconds(60), TopicReader.endedAll("a", "b")));
            assertOrderedFrames(streams.get("a"), TestMedia.countFrames(TestMedia.vtest()), new FrameSize(160, 120));
            assertOrderedFrames(streams.get("b"), 300, new FrameSize(160, 120));
        }
    }

    @Test
    void ingestsALiveUdpMpegTsSourceWhileItPlays() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        Process sender = new ProcessBuilder("gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!",
                "video/x-raw,width=320,height=240,framerate=25/1", "!", "x264enc", "tune=zerolatency", "key-int-max=25", "!",
                "mpegtsmux", "!", "udpsink", "host=127.0.0.1", "port=" + port).redirectErrorStream(true).start();
        try (Run run = ingest(IngestSettings.defaults())) {
            StreamIngest s = run.service().start(Source.parse(StreamId.of("udp-cam"), "udp://127.0.0.1:" + port, false));
            long deadline = System.currentTimeMillis() + 30_000;
            while (s.framesPublished() < 50 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(sender.isAlive(), "the sender is still playing");
            assertTrue(s.framesPublished() >= 50, "live frames arrive while the source plays, got " + s.framesPublished());
            assertEquals(StreamState.PLAYING, s.state());
            var records = TopicReader.readUntil(kafka, run.topics().lr(), false, Duration.ofSeconds(20), r -> r.size() >= 50);
            Frame first = ((Decoded.FrameRecord) FrameHeaders.decode(records.get(0).key(), records.get(0).headers(), records.get(0).value())).frame();
            assertEquals(new FrameSize(320, 240), first.size());
            assertEquals("25/1", first.fps().toString());
        } finally {
            sender.destroyForcibly();
        }
    }

    @Test
    void aLoopedFileContinuesItsTimelineWithoutAGapAtEachLoop() throws Exception {
        // MPEG-TS files start at a PTS of 0.125 s or later; each loop must still follow the last frame by one frame.
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("loop.ts"), 2, 1.0);
        try (Run run = ingest(IngestSettings.defaults())) {
            StreamIngest s = run.service().start(Source.parse(StreamId.of("looped"), clip.toString(), true));
            long deadline = System.currentTimeMillis() + 30_000;
            while (s.framesPublished() < 110 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            var records = TopicReader.readUntil(kafka, run.topics().lr(), false, Duration.ofSeconds(20), r -> r.size() >= 110);
            long previous = -1;
            for (int i = 0; i < 110; i++) {
                Frame f = ((Decoded.FrameRecord) FrameHeaders.decode(records.get(i).key(), records.get(i).headers(), records.get(i).value())).frame();
                if (previous >= 0) {
                    assertEquals(40_000_000L, f.ptsNanos() - previous, 1_000_000L, "frame " + i + " follows the one before by 40 ms (50 frames per loop)");
                }
                previous = f.ptsNanos();
            }
        }
    }

    @Test
    void aMissingFileFailsThatStreamOnlyAndSaysWhy() throws Exception {
        try (Run run = ingest(IngestSettings.defaults())) {
            StreamIngest missing = run.service().start(Source.parse(StreamId.of("missing"), tmp.resolve("nope.avi").toString(), false));
            StreamIngest ok = run.service().start(Source.parse(StreamId.of("ok"), "test://smpte?size=64x48&frames=30", false));
            assertTrue(run.service().awaitAll(60_000));
            assertEquals(StreamState.FAILED, missing.state());
            assertTrue(missing.lastError().contains("nope.avi") && missing.lastError().contains("does not exist"), missing.lastError());
            assertEquals(StreamState.ENDED, ok.state());
            assertEquals(30, ok.framesPublished());
        }
    }

    @Test
    void aFileThatIsNotAVideoFailsWithAClearError() throws Exception {
        Path text = tmp.resolve("notes.avi");
        Files.writeString(text, "this is not a video\n".repeat(100));
        try (Run run = ingest(IngestSettings.defaults())) {
            StreamIngest s = run.service().start(Source.parse(StreamId.of("text"), text.toString(), false));
            assertTrue(run.service().awaitAll(60_000));
            assertEquals(StreamState.FAILED, s.state());
            assertEquals(0, s.framesPublished());
            assertFalse(s.lastError().isBlank());
        }
    }

    /** An audio-only file fails at once and says so, with audio forwarding on (it hung) and off (an internal error). */
    @Test
    void aFileWithoutVideoFailsPromptlySayingSo() throws Exception {
        Path m4a = tmp.resolve("voice.m4a");
        Process make = new ProcessBuilder("gst-launch-1.0", "-q", "audiotestsrc", "num-buffers=100", "!", "audioconvert", "!", "avenc_aac",
                "!", "mp4mux", "!", "filesink", "location=" + m4a).redirectErrorStream(true).start();
        assertEquals(0, make.waitFor(), new String(make.getInputStream().readAllBytes()));
        for (boolean audio : new boolean[] {true, false}) {
            IngestSettings settings = IngestSettings.defaults().withAudio(audio);
            try (Run run = ingest(settings)) {
                long t0 = System.nanoTime();
                StreamIngest s = run.service().start(Source.parse(StreamId.of("voice"), m4a.toString(), false));
                assertTrue(run.service().awaitAll(10_000), "the stream ended (audio " + audio + "), state " + s.state());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(StreamState.FAILED, s.state());
                assertEquals(0, s.framesPublished());
                assertTrue(s.lastError().startsWith("no video stream in "), s.lastError());
                assertTrue(s.lastError().contains("voice.m4a"), s.lastError());
                assertTrue(ms < 5_000, "failed in " + ms + " ms");
            }
        }
    }

    @Test
    void anUnreachableLiveSourceIsRetriedThenReportedWhileOthersFlow() throws Exception {
        IngestSettings settings = IngestSettings.defaults().withRetries(2, Duration.ofMillis(100), Duration.ofMillis(400));
        try (Run run = ingest(settings)) {
            StreamIngest dead = run.service().start(Source.parse(StreamId.of("dead-cam"), "rtsp://127.0.0.1:1/nothing", false));
            StreamIngest ok = run.service().start(Source.parse(StreamId.of("ok"), "test://smpte?size=64x48&frames=60", false));
            long deadline = System.currentTimeMillis() + 60_000;
            while (dead.state() != StreamState.FAILED && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(StreamState.FAILED, dead.state());
            assertTrue(dead.lastError().startsWith("giving up after 2 retries"), dead.lastError());
            assertEquals(2.0, run.registry().get("streamsr.source.reconnects").tag("stream", "dead-cam").counter().count());
            assertTrue(run.service().awaitAll(60_000));
            assertEquals(60, ok.framesPublished(), "the other stream kept flowing");
        }
    }

    @Test
    void framesLargerThanTheLimitAreRefusedAndCounted() throws Exception {
        IngestSettings small = new IngestSettings(null, dev.streamsr.frame.FrameFormat.RGB, new FrameLimits(new FrameSize(320, 240)),
                Duration.ofMillis(100), Duration.ofSeconds(1), 0, Duration.ofSeconds(5), true, 150);
        try (Run run = ingest(small)) {
            StreamIngest big = run.service().start(Source.parse(StreamId.of("big"), "test://smpte?size=640x480&frames=20", false));
            StreamIngest ok = run.service().start(Source.parse(StreamId.of("ok"), "test://smpte?size=320x240&frames=20", false));
            assertTrue(run.service().awaitAll(60_000));
            assertEquals(0, big.framesPublished());
            assertEquals(20.0, run.registry().get("streamsr.frames.dropped").tag("stream", "big").tag("reason", "oversize").counter().count());
            assertEquals(20, ok.framesPublished());
            var records = TopicReader.readUntil(kafka, run.topics().lr(), false, Duration.ofSeconds(20), TopicReader.endedAll("ok"));
            assertTrue(records.stream().noneMatch(r -> new String(r.key()).equals("big")), "no record of the oversize stream reached Kafka");
        }
    }
}
