package dev.streamsr.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamsr.testing.EmbeddedBrokerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** streamsr_consumer_lag against a real broker: records produced minus the group's committed offset, per partition. */
class ConsumerLagIT extends EmbeddedBrokerTest {
    @Test
    void lagIsTheDistanceFromTheCommittedOffsetToTheEnd() throws Exception {
        String topic = "lag-test";
        try (Admin admin = Admin.create(kafka.admin())) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("lag-producer"))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {1})).get();
            }
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 1, null, new byte[] {1})).get();
            }
        }
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumer("lag-group", true))) {
            consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(4),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(3)));
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ConsumerLag lag = new ConsumerLag(kafka.admin(), List.of("lag-group"), Duration.ofMillis(200), registry)) {
            Map<TopicPartition, Long> measured = lag.measure().get("lag-group");
            assertEquals(6L, measured.get(new TopicPartition(topic, 0)));
            assertEquals(0L, measured.get(new TopicPartition(topic, 1)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.find("streamsr.consumer.lag").tag("partition", "0").gauge() == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(6.0, registry.get("streamsr.consumer.lag").tags("group", "lag-group", "topic", topic, "partition", "0").gauge().value());
        }
    }
}
