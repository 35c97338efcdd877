package dev.streamsr.cli;

import dev.streamsr.engine.Engines;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.stream.Source;
import dev.streamsr.ingest.StatusReporter;
import dev.streamsr.ingest.StreamAssignment;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.Health;
import dev.streamsr.packager.PackagerService;
import dev.streamsr.serve.HttpServer;
import dev.streamsr.serve.SourceBoard;
import dev.streamsr.serve.StreamDirectory;
import dev.streamsr.upscale.UpscaleService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole flow in one JVM on an embedded Kafka broker, with the player in the browser.",
                "Plays a real clip in a loop as a live stream (or the --stream sources), upscales it x4 and serves source and upscaled side by side. Ctrl-C stops it and removes the broker's temporary data."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    IngestOptions ingest;

    @Mixin
    UpscaleOptions upscale;

    @Mixin
    PackageOptions pkg;

    @Mixin
    WebRtcOptions webrtc;

    @Option(names = "--clip", paramLabel = "FILE", description = "Clip to play when no --stream is given. Default: .cache/media/vtest.avi, fetched by ./setup.")
    Path clip;

    @Option(names = "--once", description = "Play the clip once instead of looping it.")
    boolean once;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080", description = "Port of the player and API. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Mixin
    ApiOptions apiOptions;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "0", description = "Port of the embedded broker; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    private static HttpServer withWebRtc(HttpServer http, dev.streamsr.webrtc.LiveFeeds feeds) {
        return feeds == null ? http : http.withWebRtc(feeds);
    }

    private List<Path> allowedFiles() {
        List<Path> roots = new java.util.ArrayList<>(ingest.allowFiles);
        roots.add(Engines.modelsDir().getParent().resolve(".cache/media"));
        return roots;
    }

    @Override
    public Integer call() throws Exception {
        upscale.checkModel();
        pkg.checkHlsDir();
        if (ingest.streams.isEmpty()) {
            Path file = clip != null ? clip : Engines.modelsDir().getParent().resolve(".cache/media/vtest.avi");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("demo clip " + file + " not found: run ./setup (fetches vtest.avi) or pass --clip FILE");
            }
            ingest.streams.put("demo", file.toString());
        }
        ingest.loop = !once;
        if (ingest.maxInputSize == null) {
            // 320x240 in, 1280x960 out: comfortably real time on two CPU cores.
            ingest.maxInputSize = new FrameSize(320, 240);
        }
        List<Source> sources = ingest.sources();
        var regions = ingest.regions();
        var tunings = ingest.tunings();
        boolean generatedToken = !apiOptions.enabled();
        if (generatedToken) {
            // The demo always has the API; without a configured token it makes one up and prints it.
            apiOptions.token = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));
        }
        Shutdown shutdown = new Shutdown();
        var registry = metricsOptions.registry();
        var failed = new java.util.concurrent.atomic.AtomicBoolean();
        try (shutdown; Health health = new Health("demo"); EmbeddedKafka broker = EmbeddedKafka.start(null, kafkaPort, kafka.limits())) {
            KafkaSettings settings = kafka.settings(broker.bootstrapServers());
            TopicAdmin.ensureTopics(settings, Topics.defaults(), kafka.topics());
            EncoderSettings sourceEncoder = new EncoderSettings("ultrafast", 21, 1, upscale.segmentSeconds);
            StreamDirectory hls = null;
            try (BrokerProbe brokerProbe = kafka.probe(settings);
                 UpscaleService upscaler = new UpscaleService(settings, Topics.defaults(), upscale.settings(), upscale.engineFactories(),
                         registry, StreamThreadExceptionResponse.REPLACE_THREAD);
                 PackagerService packager = new PackagerService(settings, Topics.defaults(), pkg.hls(upscale.segmentSeconds),
                         sourceEncoder, pkg.groupId, registry, pkg.outputs);
                 StreamRegistry streamRegistry = new StreamRegistry(settings, allowedFiles());
                 SourceBoard sourceBoard = new SourceBoard(settings).start();
                 var feeds = webrtc.enabled ? webrtc.feeds(settings, upscale.segmentSeconds, registry) : null;
                 HttpServer http = withWebRtc(new HttpServer(hls = new StreamDirectory(pkg.hlsDir, Clock.systemUTC(), sourceBoard), registry, health)
                         .withStreamApi(apiOptions.api(streamRegistry)), feeds).start("0.0.0.0", httpPort);
                 var producer = new KafkaProducer<byte[], byte[]>(settings.producer("streamsr-ingest"));
                 IngestService ingestService = new IngestService(ingest.settings(kafka.limits()),
                         new KafkaFrameSink(producer, Topics.defaults(), registry), registry);
                 StatusReporter status = new StatusReporter(producer, ingestService).start()) {
                upscaler.onError(() -> {
                    failed.set(true);
                    shutdown.trigger();
                });
                upscaler.start();
                packager.start();
                sources.forEach(src -> ingestService.start(src, ingest.settings(kafka.limits()), regions.get(src.stream().value()))
                    .tuning(tunings.get(src.stream().value())));
                health.add("kafka", brokerProbe).add("upscale", upscaler.health()).add("package", packager.health())
                        .add("sources", ingestService.health()).add("hls", hls.health());
                StreamAssignment assignment = new StreamAssignment(settings, ingest.ingestGroup, ingestService,
                        ingest.settings(kafka.limits()), ingest.loop).start();
                String first = sources.get(0).stream().value();
                System.out.println();
                System.out.println("StreamSR demo running. Open the player:  http://localhost:" + http.port() + "/?stream=" + first);
                System.out.println("Streams: http://localhost:" + http.port() + "/streams   Metrics: http://localhost:" + http.port() + "/metrics");
                System.out.println("Kafka: " + broker.bootstrapServers() + "   HLS: " + pkg.hlsDir.toAbsolutePath() + "   (Ctrl-C to stop)");
                System.out.println();
                System.out.println("Stream API: POST/DELETE http://localhost:" + http.port() + "/api/streams with 'Authorization: Bearer "
                        + (generatedToken ? apiOptions.token : "<your --api-token>") + "'");
                System.out.println();
                shutdown.await();
                health.close();
                System.out.println("Stopping...");
                assignment.close();
            }
        }
        return failed.get() ? 1 : 0;
    }

}
