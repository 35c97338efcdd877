package dev.streamsr.stream;

import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream registry on the compacted {@code streamsr.streams} topic: writes go to Kafka (so every
 * ingest instance sees them), reads replay the topic. A record per stream id, a tombstone to remove one.
 */
public final class StreamRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);
    private final KafkaSettings kafka;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<java.nio.file.Path> fileRoots;

    public StreamRegistry(KafkaSettings kafka, List<java.nio.file.Path> fileRoots) {
        this.kafka = kafka;
        this.fileRoots = List.copyOf(fileRoots);
        this.producer = new KafkaProducer<>(kafka.producer("streamsr-registry"));
    }

    public List<java.nio.file.Path> fileRoots() {
        return fileRoots;
    }

    /** Validates and stores a stream; returns once the broker has it. */
    public StreamSpec put(StreamSpec spec) {
        spec.validate(fileRoots);
        send(spec.id(), spec.toJson());
        log.info("stream {}: registered {} ({})", spec.id(), Credentials.mask(spec.uri()), spec.isEnabled() ? "enabled" : "disabled");
        return spec;
    }

    public void delete(StreamId id) {
        send(id.value(), null);
        log.info("stream {}: removed from the registry", id);
    }

    private void send(String id, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.STREAMS, id.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the stream registry", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write the stream registry on " + kafka.bootstrapServers() + ": " + e, e);
        }
    }

    /** Every registered stream, read from the beginning of the topic to its end. */
    public Map<String, StreamSpec> list() {
        Properties p = kafka.consumer("unused", false);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, StreamSpec> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(Topics.STREAMS, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + Topics.STREAMS);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    apply(out, r);
                }
            }
        }
        return out;
    }

    public static void apply(Map<String, StreamSpec> state, ConsumerRecord<byte[], byte[]> r) {
        String id = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            state.remove(id);
            return;
        }
        try {
            state.put(id, StreamSpec.fromJson(r.value()));
        } catch (IllegalArgumentException e) {
            log.warn("stream {}: unreadable registry record at {}-{}@{} ignored: {}", id, r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
