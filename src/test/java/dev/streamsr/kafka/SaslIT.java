package dev.streamsr.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.Source;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL/SCRAM through the client properties file (--kafka-config), against the embedded broker
 * with a SCRAM listener: the right credentials carry a stream end to end, wrong ones are refused
 * with an authentication error instead of hanging.
 */
class SaslIT {
    @TempDir
    Path tmp;

    private Path clientConfig(String password) throws Exception {
        Path file = tmp.resolve("client-" + password + ".properties");
        Files.writeString(file, """
                security.protocol=SASL_PLAINTEXT
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="streamsr" password="%s";
                """.formatted(password));
        return file;
    }

    @Test
    void scramCredentialsFromTheClientPropertiesFileWork() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults(), new EmbeddedKafka.ScramUser("streamsr", "s3cret"))) {
            KafkaSettings sasl = new KafkaSettings(broker.saslBootstrapServers(), clientConfig("s3cret"), FrameLimits.defaults());
            try (Flow flow = new Flow(sasl)) {
                IngestService ingest = flow.ingest(IngestSettings.defaults());
                ingest.start(Source.parse(StreamId.of("secure"), "test://ball?size=64x48&fps=30/1&frames=20", false));
                assertTrue(ingest.awaitAll(60_000));
                var records = TopicReader.readUntil(sasl, flow.topics.lr(), false, Duration.ofSeconds(30), TopicReader.endedAll("secure"));
                assertEquals(21, records.size(), "20 frames and the end marker over SASL");
            }
            KafkaSettings wrong = new KafkaSettings(broker.saslBootstrapServers(), clientConfig("wrong"), FrameLimits.defaults());
            Exception e = assertThrows(Exception.class, () -> TopicAdmin.ensureTopics(wrong, Topics.defaults(), TopicSettings.defaults()));
            assertTrue(String.valueOf(e.getMessage()).contains("Authentication failed"), e.getMessage());
        }
    }
}
