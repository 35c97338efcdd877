package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.StreamState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for a while under a live stream and comes back: ingest keeps playing,
 * holds a bounded number of frames, drops the oldest beyond that with a counter, and carries on
 * publishing in order once the broker is back. Nothing else is lost.
 */
class BrokerRestartIT {
    private static final int BUFFER = 20;

    @TempDir
    Path tmp;

    @Test
    void aLiveStreamSurvivesABrokerRestartWithABoundedBacklog() throws Exception {
        // A UDP stream is live: it will not wait for anyone.
        int udp;
        try (java.net.DatagramSocket d = new java.net.DatagramSocket(0)) {
            udp = d.getLocalPort();
        }
        Process sender = new ProcessBuilder("gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!",
                "video/x-raw,width=160,height=120,framerate=25/1", "!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast",
                "key-int-max=25", "!", "mpegtsmux", "!", "udpsink", "host=127.0.0.1", "port=" + udp).redirectErrorStream(true).start();
        try {
            survivesOutage("udp://127.0.0.1:" + udp, false);
        } finally {
            sender.destroyForcibly();
        }
    }

    /** A looped file is a live stream too: it plays on at its own rate and follows the same outbox policy. */
    @Test
    void aLoopedFileSurvivesABrokerRestartLikeALiveStream() throws Exception {
        Path clip = tmp.resolve("clip.ts");
        Process make = new ProcessBuilder("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=50", "pattern=ball", "!",
                "video/x-raw,width=160,height=120,framerate=25/1", "!", "x264enc", "speed-preset=ultrafast", "key-int-max=25", "!",
                "mpegtsmux", "!", "filesink", "location=" + clip).redirectErrorStream(true).start();
        assertEquals(0, make.waitFor(), new String(make.getInputStream().readAllBytes()));
        survivesOutage(clip.toString(), true);
    }

    private void survivesOutage(String uri, boolean loop) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = tmp.resolve("kafka");
        FrameLimits limits = FrameLimits.defaults();
        EmbeddedKafka broker = EmbeddedKafka.start(data, port, limits);
        KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, limits);
        Topics topics = Topics.prefixed("restart");
        TopicAdmin.ensureTopics(kafka, topics, new TopicSettings(1, (short) 1, 600_000));
        var registry = new SimpleMeterRegistry();
        var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("restart-it"));
        StreamIngest s;
        List<Integer> backlog = new ArrayList<>();
        try (IngestService ingest = new IngestService(IngestSettings.defaults().withLiveBuffer(BUFFER), new KafkaFrameSink(producer, topics, registry), registry)) {
            s = ingest.start(Source.parse(StreamId.of("cam"), uri, loop));
            awaitFrames(s, 40);
            broker.close();
            long outage = System.currentTimeMillis();
            long atOutage = s.framesPublished();
            // 6 s at 25 fps is far more than the buffer: the oldest have to go.
            while (System.currentTimeMillis() - outage < 6_000) {
                var gauge = registry.find("streamsr.ingest.buffered.frames").tag("stream", "cam").gauge();
                backlog.add(gauge == null ? -1 : (int) gauge.value());
                Thread.sleep(100);
            }
            assertEquals(StreamState.PLAYING, s.state(), "the source plays on while the broker is away");
            assertTrue(s.framesPublished() - atOutage >= 100, "frames kept coming at the source's rate during the outage: "
                    + (s.framesPublished() - atOutage) + " in 6 s");
            broker = EmbeddedKafka.start(data, port, limits);
            long atRestart = s.framesPublished();
            awaitFrames(s, atRestart + 50);
            long last = s.framesPublished();
            var droppedCounter = registry.find("streamsr.frames.dropped").tag("stream", "cam").tag("reason", "broker-backlog").counter();
            assertTrue(droppedCounter != null, "the stream went through the live outbox");
            double dropped = droppedCounter.count();
            int maxBacklog = backlog.stream().mapToInt(Integer::intValue).max().orElse(0);
            System.out.printf("broker restart: %d frames ingested, %.0f dropped as broker backlog, backlog peaked at %d of %d%n",
                    last, dropped, maxBacklog, BUFFER);
            assertTrue(dropped > 0, "the oldest frames beyond the buffer were dropped and counted");
            assertTrue(maxBacklog <= BUFFER && maxBacklog > 0, "the backlog stayed bounded: " + maxBacklog);

            // What reached Kafka: in order, and every frame ingested is either there or counted.
            var records = TopicReader.readUntil(kafka, topics.lr(), false, Duration.ofSeconds(60), r -> {
                if (r.isEmpty()) {
                    return false;
                }
                var d = FrameHeaders.decode(r.get(r.size() - 1).key(), r.get(r.size() - 1).headers(), r.get(r.size() - 1).value());
                return d instanceof Decoded.FrameRecord f && f.frame().seq() >= last - 5;
            });
            long previous = -1;
            long present = 0;
            for (var r : records) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f && f.frame().seq() < last - 5) {
                    assertTrue(f.frame().seq() > previous, "order kept: " + f.frame().seq() + " after " + previous);
                    previous = f.frame().seq();
                    present++;
                }
            }
            double errors = registry.find("streamsr.frames.dropped").tag("stream", "cam").tag("reason", "kafka-error").counter() == null ? 0
                    : registry.find("streamsr.frames.dropped").tag("stream", "cam").tag("reason", "kafka-error").counter().count();
            assertEquals(last - 5, present + (long) dropped + (long) errors, 2.0 + BUFFER,
                    "frames on the topic plus frames counted as dropped account for what was ingested");
        } finally {
            producer.close(Duration.ofSeconds(5));
            broker.close();
        }
    }

    private static void awaitFrames(StreamIngest s, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (s.framesPublished() < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("only " + s.framesPublished() + " of " + n + " frames; state " + s.state() + ", " + s.lastError());
            }
            Thread.sleep(100);
        }
    }
}
