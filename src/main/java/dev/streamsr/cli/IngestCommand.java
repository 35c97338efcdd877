package dev.streamsr.cli;

import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.stream.Source;
import dev.streamsr.ingest.StatusReporter;
import dev.streamsr.ingest.StreamAssignment;
import dev.streamsr.stream.StreamState;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.metrics.Health;
import dev.streamsr.kafka.Topics;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Decodes sources with GStreamer and publishes every frame to Kafka.",
                "Each frame is one record on streamsr.lr keyed by stream id. Exits when every finite source has ended; live sources run until Ctrl-C."})
final class IngestCommand implements Callable<Integer> {
    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    IngestOptions ingest;

    @Mixin
    MetricsPortOptions metricsPort;

    @Override
    public Integer call() throws Exception {
        List<Source> sources = ingest.sources();
        var regions = ingest.regions();
        var tunings = ingest.tunings();
        if (sources.isEmpty() && !ingest.registry) {
            throw new IllegalArgumentException("no --stream given and no --registry; try --stream cam1=file.mp4");
        }
        KafkaSettings settings = kafka.settings();
        kafka.awaitBroker();
        TopicAdmin.ensureTopics(settings, Topics.defaults(), kafka.topics());
        Shutdown shutdown = new Shutdown();
        var registry = metricsOptions.registry();
        try (shutdown; Health health = new Health("ingest"); BrokerProbe broker = kafka.probe(settings);
             var producer = new KafkaProducer<byte[], byte[]>(settings.producer("streamsr-ingest"));
             IngestService service = new IngestService(ingest.settings(kafka.limits()), new KafkaFrameSink(producer, Topics.defaults(), registry), registry);
             StatusReporter status = new StatusReporter(producer, service).start();
             var metrics = metricsPort.start(registry, health.add("kafka", broker).add("sources", service.health()), 9401)) {
            sources.forEach(src -> service.start(src, ingest.settings(kafka.limits()), regions.get(src.stream().value()))
                    .tuning(tunings.get(src.stream().value())));
            StreamAssignment assignment = ingest.registry
                    ? new StreamAssignment(settings, ingest.ingestGroup, service, ingest.settings(kafka.limits()), ingest.loop).start() : null;
            Thread waiter = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    if (!ingest.registry && sources.stream().noneMatch(Source::restartable)) {
                        service.awaitAll(Long.MAX_VALUE);
                        shutdown.trigger();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            shutdown.await();
            health.close();
            waiter.interrupt();
            if (assignment != null) {
                assignment.close();
            }
            boolean failed = service.streams().values().stream().anyMatch(s -> s.state() == StreamState.FAILED);
            service.streams().forEach((id, s) -> System.out.println(id + ": " + s.state().name().toLowerCase()
                    + ", " + s.framesPublished() + " frames" + (s.lastError() == null ? "" : " (" + s.lastError() + ")")));
            return failed ? 2 : 0;
        }
    }
}
