package dev.streamsr.ingest;

import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.TestMedia;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingest instance is killed (SIGKILL, no goodbye to the group): the other instance of the
 * group notices within the session timeout and takes its registered streams over; their frames
 * keep arriving on streamsr.lr, and the streams the survivor already had are never touched.
 */
class IngestFailoverIT extends EmbeddedBrokerTest {
    @TempDir
    Path tmp;

    /** Two stream ids in each half of the registry partitions, so both instances own some. */
    private static List<String> spreadIds() {
        List<String> low = new ArrayList<>();
        List<String> high = new ArrayList<>();
        for (int i = 0; low.size() < 2 || high.size() < 2; i++) {
            String id = "failover-" + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % Topics.STREAMS_PARTITIONS;
            (p < Topics.STREAMS_PARTITIONS / 2 ? low : high).add(id);
        }
        List<String> ids = new ArrayList<>(low.subList(0, 2));
        ids.addAll(high.subList(0, 2));
        return ids;
    }

    @Test
    void aKilledIngestInstancesStreamsMoveToTheSurvivor() throws Exception {
        TopicAdmin.ensureTopics(kafka, Topics.defaults(), TopicSettings.defaults());
        List<String> ids = spreadIds();
        String group = "failover-" + System.nanoTime();
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        try (StreamRegistry registry = new StreamRegistry(kafka, List.of());
             var watcher = new KafkaConsumer<byte[], byte[]>(kafka.consumer("failover-watch-" + System.nanoTime(), false))) {
            for (String id : ids) {
                registry.put(new StreamSpec(id, "test://ball?size=64x48&fps=10/1&live=true", null, true));
            }
            List<TopicPartition> lr = watcher.partitionsFor(Topics.LR).stream().map(p -> new TopicPartition(Topics.LR, p.partition())).toList();
            watcher.assign(lr);
            watcher.seekToEnd(lr);
            lr.forEach(watcher::position);

            Process a = new ProcessBuilder(TestMedia.root().resolve("bin/streamsr").toString(), "ingest", "--registry",
                    "--ingest-group", group, "--bootstrap-servers", kafka.bootstrapServers(), "--metrics-port", "0")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("a.log").toFile()).start();
            try {
                poll(watcher, lastSeen, Duration.ofSeconds(60), () -> lastSeen.keySet().containsAll(ids));

                var metrics = new SimpleMeterRegistry();
                var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("failover-b"));
                try (IngestService b = new IngestService(IngestSettings.defaults(), new KafkaFrameSink(producer, Topics.defaults(), metrics), metrics);
                     StreamAssignment assignB = new StreamAssignment(kafka, group, b, IngestSettings.defaults(), false).start()) {
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (b.streams().size() != 2 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(200);
                    }
                    Set<String> bOwns = new HashSet<>();
                    b.streams().keySet().forEach(s -> bOwns.add(s.value()));
                    assertEquals(2, bOwns.size(), "the second instance took half the streams: " + bOwns);
                    Map<String, StreamIngest> untouched = new java.util.HashMap<>();
                    bOwns.forEach(s -> untouched.put(s, b.streams().get(StreamId.of(s))));

                    a.destroyForcibly().waitFor();
                    long killedAt = System.currentTimeMillis();
                    lastSeen.clear();
                    poll(watcher, lastSeen, Duration.ofSeconds(60), () -> lastSeen.keySet().containsAll(ids) && b.streams().size() == 4);
                    long takeover = System.currentTimeMillis() - killedAt;
                    System.out.printf("ingest failover: the survivor publishes all 4 streams %d ms after the kill%n", takeover);
                    for (String s : ids) {
                        assertTrue(b.streams().containsKey(StreamId.of(s)), s + " is ingested by the survivor");
                    }
                    bOwns.forEach(s -> assertTrue(untouched.get(s) == b.streams().get(StreamId.of(s)),
                            s + " was not restarted by the takeover"));
                    assertFalse(a.isAlive());
                } finally {
                    producer.close(Duration.ofSeconds(5));
                }
            } finally {
                a.destroyForcibly();
            }
        }
    }

    private static void poll(KafkaConsumer<byte[], byte[]> watcher, Map<String, Long> seen, Duration timeout,
                             java.util.function.BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out; frames seen from " + seen.keySet());
            }
            for (var r : watcher.poll(Duration.ofMillis(200))) {
                seen.put(new String(r.key(), StandardCharsets.UTF_8), System.currentTimeMillis());
            }
        }
    }
}
