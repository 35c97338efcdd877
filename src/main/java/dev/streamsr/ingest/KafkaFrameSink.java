package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.kafka.Topics;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes frames to {@code streamsr.lr} and audio to {@code streamsr.audio}, keyed by stream id so a stream stays on one partition
 * in order. {@code send} blocks when the producer buffer is full, which is the back-pressure that
 * slows a file source down to the speed of the broker.
 */
public final class KafkaFrameSink implements FrameSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaFrameSink.class);
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String audioTopic;
    private final MeterRegistry registry;

    public KafkaFrameSink(Producer<byte[], byte[]> producer, Topics topics, MeterRegistry registry) {
        this.producer = producer;
        this.topic = topics.lr();
        this.audioTopic = topics.audio();
        this.registry = registry;
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void publish(Frame frame) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, frame.stream().toKey(), frame.payload(), FrameHeaders.of(frame));
        producer.send(record, (meta, e) -> {
            if (e != null) {
                log.error("stream {}: frame {} not written to {}: {}", frame.stream(), frame.seq(), topic, e.toString());
                failed(frame.stream().value()).increment();
            }
        });
    }

    @Override
    public void audio(AudioFrame audio) {
        producer.send(new ProducerRecord<>(audioTopic, null, audio.stream().toKey(), audio.payload(), FrameHeaders.of(audio)), (meta, e) -> {
            if (e != null) {
                log.warn("stream {}: audio frame at {} ns not written to {}: {}", audio.stream(), audio.ptsNanos(), audioTopic, e.toString());
            }
        });
    }

    @Override
    public void end(EndOfStream end) {
        producer.send(new ProducerRecord<>(topic, null, end.stream().toKey(), new byte[0], FrameHeaders.of(end)), (meta, e) -> {
            if (e != null) {
                log.error("stream {}: end-of-stream marker not written to {}: {}", end.stream(), topic, e.toString());
            }
        });
        producer.flush();
    }

    private Counter failed(String stream) {
        return Meters.framesDropped(registry, stream, "kafka-error");
    }
}
