package dev.streamsr.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How every role talks to Kafka: the bootstrap servers, an optional client properties file (SASL,
 * TLS, anything else the cluster needs) and the size limits from {@link FrameLimits}.
 */
public record KafkaSettings(String bootstrapServers, Path clientProperties, FrameLimits limits) {
    /** Socket buffer for clients that move frames. */
    public static final int SOCKET_BUFFER_BYTES = 4 << 20;

    public Properties common() {
        Properties p = new Properties();
        if (clientProperties != null) {
            try (Reader r = Files.newBufferedReader(clientProperties)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read Kafka client properties " + clientProperties + ": " + e.getMessage(), e);
            }
        }
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    public Properties admin() {
        Properties p = common();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return p;
    }

    public Properties producer(String clientId) {
        Properties p = common();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limits.maxRecordBytes());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64L << 20, 4L * limits.maxRecordBytes()));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request in flight: a batch retried after NOT_LEADER_OR_FOLLOWER (a partition just
        // created or moved) cannot be overtaken, which otherwise made the idempotent producer loop on
        // OUT_OF_ORDER_SEQUENCE_NUMBER until the 120 s delivery timeout. Frames keep their order either way.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        // Raw frames do not compress (measured ratio 1.00); compression would only cost CPU.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // Room for several frames per request; the default 16 KB makes every frame a request of its own.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, SOCKET_BUFFER_BYTES);
        // Frames are megabytes: the 128 KB default socket buffer turns each one into many round trips.
        p.put(ProducerConfig.SEND_BUFFER_CONFIG, SOCKET_BUFFER_BYTES);
        return p;
    }

    public Properties consumer(String groupId, boolean readCommitted) {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, limits.maxRecordBytes());
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(52_428_800, limits.maxRecordBytes()));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 32);
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, SOCKET_BUFFER_BYTES);
        return p;
    }
}
