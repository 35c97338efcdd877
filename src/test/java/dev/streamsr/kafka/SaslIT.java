package dev.streamsr.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL/SCRAM and TLS through the client properties file (--kafka-config), against the embedded
 * broker with a SCRAM listener: the right credentials carry a stream end to end, wrong ones are
 * refused with an authentication error instead of hanging; over SASL_SSL a client that does not
 * trust the broker's certificate is refused at the handshake.
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

    private void keytool(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(java.util.List.of(args));
        dev.streamsr.testing.TestMedia.run(cmd.toArray(String[]::new));
    }

    @Test
    void scramOverTlsWithATrustStoreFromTheClientPropertiesFile() throws Exception {
        Path keystore = tmp.resolve("broker.p12");
        Path cert = tmp.resolve("broker.crt");
        Path truststore = tmp.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "brokerpass");
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "brokerpass", "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore", truststore.toString(),
                "-storetype", "PKCS12", "-storepass", "trustpass");
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, FrameLimits.defaults(), new EmbeddedKafka.ScramUser("streamsr", "s3cret"),
                new EmbeddedKafka.Tls(keystore, "brokerpass"))) {
            Path trusting = tmp.resolve("tls.properties");
            Files.writeString(trusting, """
                    security.protocol=SASL_SSL
                    sasl.mechanism=SCRAM-SHA-512
                    sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="streamsr" password="s3cret";
                    ssl.truststore.type=PKCS12
                    ssl.truststore.location=%s
                    ssl.truststore.password=trustpass
                    """.formatted(truststore));
            KafkaSettings tls = new KafkaSettings(broker.saslBootstrapServers(), trusting, FrameLimits.defaults());
            try (Flow flow = new Flow(tls)) {
                IngestService ingest = flow.ingest(IngestSettings.defaults());
                ingest.start(Source.parse(StreamId.of("secure"), "test://ball?size=64x48&fps=30/1&frames=20", false));
                assertTrue(ingest.awaitAll(60_000));
                var records = TopicReader.readUntil(tls, flow.topics.lr(), false, Duration.ofSeconds(30), TopicReader.endedAll("secure"));
                assertEquals(21, records.size(), "20 frames and the end marker over SASL_SSL");
            }
            Path untrusting = tmp.resolve("no-trust.properties");
            Files.writeString(untrusting, """
                    security.protocol=SASL_SSL
                    sasl.mechanism=SCRAM-SHA-512
                    sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="streamsr" password="s3cret";
                    """);
            KafkaSettings wrong = new KafkaSettings(broker.saslBootstrapServers(), untrusting, FrameLimits.defaults());
            Exception e = assertThrows(Exception.class, () -> TopicAdmin.ensureTopics(wrong, Topics.defaults(), TopicSettings.defaults()));
            assertTrue(String.valueOf(e.getMessage()).contains("SSL handshake failed"), e.getMessage());
        }
    }
}
