package dev.streamsr.testing;

import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads a topic from the beginning with a real consumer until a condition holds or time runs out. */
public final class TopicReader {
    private TopicReader() {
    }

    public static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaSettings kafka, String topic, boolean readCommitted,
                                                                 Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer("test-" + UUID.randomUUID(), readCommitted))) {
            c.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(out)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** True once an end-of-stream marker has been read for every one of the streams. */
    public static Predicate<List<ConsumerRecord<byte[], byte[]>>> endedAll(String... streams) {
        return records -> {
            Set<String> ended = new java.util.HashSet<>();
            for (var r : records) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.EndRecord e) {
                    ended.add(e.end().stream().value());
                }
            }
            return ended.containsAll(List.of(streams));
        };
    }
}
