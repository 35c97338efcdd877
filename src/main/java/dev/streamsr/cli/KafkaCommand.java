package dev.streamsr.cli;

import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.Topics;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Runs the embedded single-node Kafka broker (KRaft) alone, with StreamSR's topics created.",
                "Other roles on this machine reach it with their default --bootstrap-servers."})
final class KafkaCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Broker port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data here across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Shutdown shutdown = new Shutdown();
        try (shutdown; EmbeddedKafka broker = EmbeddedKafka.start(dataDir, port, kafka.limits())) {
            TopicAdmin.ensureTopics(kafka.settings(broker.bootstrapServers()), Topics.defaults(), kafka.topics());
            System.out.println("Kafka broker ready at " + broker.bootstrapServers() + " (Ctrl-C to stop)");
            shutdown.await();
        }
        return 0;
    }
}
