package dev.streamsr.cli;

import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.Topics;
import dev.streamsr.metrics.Health;
import dev.streamsr.upscale.UpscaleService;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "upscale", mixinStandardHelpOptions = true,
        description = {"Upscales every frame x4 with the neural engine and encodes the result.",
                "A Kafka Streams application: reads LR frames from streamsr.lr, runs the engine on each frame pair with the stream's cached latent, and writes one access unit per frame to streamsr.sr, exactly once."})
final class UpscaleCommand implements Callable<Integer> {
    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    UpscaleOptions upscale;

    @Mixin
    MetricsPortOptions metricsPort;

    @Override
    public Integer call() throws Exception {
        upscale.checkModel();
        kafka.awaitBroker();
        TopicAdmin.ensureTopics(kafka.settings(), Topics.defaults(), kafka.topics());
        Shutdown shutdown = new Shutdown();
        var registry = metricsOptions.registry();
        var failed = new java.util.concurrent.atomic.AtomicBoolean();
        try (shutdown; Health health = new Health("upscale"); BrokerProbe broker = kafka.probe(kafka.settings());
             UpscaleService service = new UpscaleService(kafka.settings(), Topics.defaults(), upscale.settings(),
                upscale.engineFactories(), registry, StreamThreadExceptionResponse.REPLACE_THREAD);
             var metrics = metricsPort.start(registry, health.add("kafka", broker).add("upscale", service.health()), 9402)) {
            // An engine that cannot be opened stops the client: exit non-zero so a supervisor sees it.
            service.onError(() -> {
                failed.set(true);
                shutdown.trigger();
            });
            service.start();
            shutdown.await();
            health.close();
        }
        return failed.get() ? 1 : 0;
    }
}
