package dev.streamsr.kafka;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that break the contract to {@code streamsr.dlq}: the original key, value and
 * headers, plus the reason, a detail line and the topic they came from. Nothing else is lost.
 */
public final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final MeterRegistry registry;

    public DeadLetters(Producer<byte[], byte[]> producer, String topic, MeterRegistry registry) {
        this.producer = producer;
        this.topic = topic;
        this.registry = registry;
        registerReasons(registry);
    }

    /** Registers every reason at zero, so "the DLQ started receiving records" is an increase an alert can see. */
    public static void registerReasons(MeterRegistry registry) {
        for (String reason : ContractViolation.REASONS) {
            count(registry, reason, 0);
        }
    }

    public void send(String sourceTopic, byte[] key, byte[] value, Headers original, StreamId stream, ContractViolation why) {
        log.warn("stream {}: record on {} sent to {}: {}", stream == null ? "<invalid key>" : stream, sourceTopic, topic, why);
        producer.send(new ProducerRecord<>(topic, null, key, value, annotate(original, sourceTopic, why)), (meta, e) -> {
            if (e != null) {
                log.error("stream {}: could not write dead letter to {}: {}", stream, topic, e.toString());
            }
        });
        count(registry, why.reason());
    }

    public static Headers annotate(Headers original, String sourceTopic, ContractViolation why) {
        RecordHeaders h = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                h.add(header);
            }
        }
        h.add(FrameHeaders.DLQ_REASON, why.reason().getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.DLQ_DETAIL, why.detail().getBytes(StandardCharsets.UTF_8));
        h.add(FrameHeaders.DLQ_TOPIC, sourceTopic.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    public static void count(MeterRegistry registry, String reason) {
        count(registry, reason, 1);
    }

    private static void count(MeterRegistry registry, String reason, double amount) {
        Meters.dlqRecords(registry, reason).increment(amount);
    }
}
