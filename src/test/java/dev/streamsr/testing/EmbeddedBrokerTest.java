package dev.streamsr.testing;

import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Integration tests on one real embedded KRaft broker per test class. */
public abstract class EmbeddedBrokerTest {
    protected static EmbeddedKafka broker;
    protected static KafkaSettings kafka;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults());
        kafka = new KafkaSettings(broker.bootstrapServers(), null, FrameLimits.defaults());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }
}
