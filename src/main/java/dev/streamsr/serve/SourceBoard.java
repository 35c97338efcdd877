package dev.streamsr.serve;

import dev.streamsr.stream.SourceStatus;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
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
 * The latest {@link SourceStatus} of every stream, read from {@code streamsr.status} from the start
 * (it is compacted) without a consumer group: every serve instance sees everything.
 */
public final class SourceBoard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceBoard.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, SourceStatus> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    public SourceBoard(KafkaSettings kafka) {
        Properties props = kafka.consumer("unused", false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props);
        thread = Thread.ofPlatform().name("source-board").daemon(true).unstarted(this::run);
    }

    public SourceBoard start() {
        thread.start();
        return this;
    }

    public Optional<SourceStatus> get(String stream) {
        return Optional.ofNullable(latest.get(stream));
    }

    public Map<String, SourceStatus> all() {
        return Map.copyOf(latest);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of();
            // The package or ingest role creates the topic; serve may start first.
            while (!stopping && partitions.isEmpty()) {
                try {
                    partitions = consumer.partitionsFor(Topics.STATUS, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.warn("no {} topic yet ({}); retrying", Topics.STATUS, e.getMessage());
                }
                if (partitions.isEmpty()) {
                    Thread.sleep(2_000);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String id = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (id == null) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest.remove(id);
                        continue;
                    }
                    try {
                        latest.put(id, SourceStatus.fromJson(r.value()));
                    } catch (java.io.IOException e) {
                        log.warn("stream {}: unreadable status record at offset {}: {}", id, r.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("source status reader stopped: {}", e.toString());
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
