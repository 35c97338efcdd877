package dev.streamsr.cli;

import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.metrics.Health;
import dev.streamsr.kafka.Topics;
import dev.streamsr.packager.PackagerService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "package", mixinStandardHelpOptions = true,
        description = {"Writes HLS for every stream: the upscaled and the source rendition.",
                "The upscaled rendition comes from streamsr.sr (read committed), the source rendition from streamsr.lr; each is a rolling playlist that ends with #EXT-X-ENDLIST when the stream ends."})
final class PackageCommand implements Callable<Integer> {
    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    PackageOptions pkg;

    @Option(names = "--segment-duration", paramLabel = "N", defaultValue = "2", description = "HLS segment duration in seconds. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds;

    @Option(names = "--source-quality", paramLabel = "N", defaultValue = "21", description = "x264 quality of the source rendition. Default: ${DEFAULT-VALUE}.")
    int sourceQuality;

    @Mixin
    MetricsPortOptions metricsPort;

    @Override
    public Integer call() throws Exception {
        pkg.checkHlsDir();
        kafka.awaitBroker();
        TopicAdmin.ensureTopics(kafka.settings(), Topics.defaults(), kafka.topics());
        Shutdown shutdown = new Shutdown();
        var encoder = new dev.streamsr.media.EncoderSettings("ultrafast", sourceQuality, 1, segmentSeconds);
        var registry = metricsOptions.registry();
        try (shutdown; Health health = new Health("package"); BrokerProbe broker = kafka.probe(kafka.settings());
             PackagerService service = new PackagerService(kafka.settings(), Topics.defaults(), pkg.hls(segmentSeconds), encoder,
                pkg.groupId, registry, pkg.outputs);
             var metrics = metricsPort.start(registry, health.add("kafka", broker).add("package", service.health()), 9403)) {
            service.start();
            shutdown.await();
            health.close();
        }
        return 0;
    }
}
