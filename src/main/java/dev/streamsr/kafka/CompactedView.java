package dev.streamsr.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value per key of a compacted topic ({@code streamsr.status}, {@code streamsr.streams}),
 * read from the start and followed, without a consumer group: every instance sees every key. A
 * tombstone removes the key; a value that does not parse is logged and skipped.
 */
public final class CompactedView<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompactedView.class);

    /** Parses a record value; throws {@link IllegalArgumentException} for one that does not parse. */
    public interface Parser<T> {
        T parse(byte[] value);
    }

    private final String topic;
    private final Parser<T> parser;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, T> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    public CompactedView(KafkaSettings kafka, String topic, String threadName, Parser<T> parser) {
        this.topic = topic;
        this.parser = parser;
        Properties props = kafka.consumer("unused", false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props);
        thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
    }

    public CompactedView<T> start() {
        thread.start();
        return this;
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    public Map<String, T> all() {
        return Map.copyOf(latest);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of();
            // Another role may create the topic; this one may start first.
            while (!stopping && partitions.isEmpty()) {
                try {
                    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.warn("no {} topic yet ({}); retrying", topic, e.getMessage());
                }
                if (partitions.isEmpty()) {
                    Thread.sleep(2_000);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    apply(r);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("{} reader stopped: {}", topic, e.toString());
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            return;
        }
        String key = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            latest.remove(key);
            return;
        }
        try {
            latest.put(key, parser.parse(r.value()));
        } catch (IllegalArgumentException e) {
            log.warn("stream {}: unreadable {} record at offset {}: {}", key, topic, r.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        stopping = true;
        ConsumerThreads.stop(consumer, thread);
    }
}
