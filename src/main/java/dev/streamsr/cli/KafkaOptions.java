package dev.streamsr.cli;

import dev.streamsr.frame.FrameSize;
import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicSettings;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every role shares to reach Kafka and size its limits. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the port `streamsr kafka` listens on).")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file for SASL/TLS and any other client setting.")
    Path clientProperties;

    @Option(names = "--max-frame-size", paramLabel = "WxH", defaultValue = "1920x1080", converter = FrameSizeConverter.class,
            description = "Largest input frame accepted (RGB); every Kafka size limit is derived from it. Default: ${DEFAULT-VALUE}.")
    FrameSize maxFrameSize;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of the frame topics when StreamSR creates them; bounds upscale parallelism. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "1", description = "Replication factor of created topics. Default: ${DEFAULT-VALUE}.")
    short replication;

    @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "10m", description = "Retention of the frame topics (10m, 1h or ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration retention;

    @Option(names = "--kafka-timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "How long a role waits for Kafka at start before it exits with an error, and the bound of the health check's broker probe. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    /** Fails with one line when Kafka does not answer within {@code --kafka-timeout}. */
    public void awaitBroker() {
        BrokerProbe.await(settings(), timeout);
    }

    /** The {@code kafka} part of health, bounded like the start-up wait. */
    public BrokerProbe probe(KafkaSettings settings) {
        return new BrokerProbe(settings, timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5));
    }

    public FrameLimits limits() {
        return new FrameLimits(maxFrameSize);
    }

    public KafkaSettings settings() {
        return settings(bootstrapServers);
    }

    public KafkaSettings settings(String bootstrap) {
        return new KafkaSettings(bootstrap, clientProperties, limits());
    }

    public TopicSettings topics() {
        return new TopicSettings(partitions, replication, retention.toMillis());
    }
}
