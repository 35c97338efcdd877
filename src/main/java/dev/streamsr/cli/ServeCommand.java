package dev.streamsr.cli;

import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.kafka.BrokerProbe;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.metrics.Health;
import dev.streamsr.kafka.Topics;
import dev.streamsr.serve.HttpServer;
import dev.streamsr.serve.SourceBoard;
import dev.streamsr.serve.StreamDirectory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves the player, both renditions' HLS, /streams and the stream API over HTTP.",
                "Also /health/live, /health/ready and /metrics."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    MetricsOptions metricsOptions;

    @Option(names = "--hls-dir", paramLabel = "DIR", defaultValue = "hls", description = "Root directory the package role writes to. Default: ${DEFAULT-VALUE}.")
    Path hlsDir;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080", description = "Port of the player, HLS and API (as in demo). Default: ${DEFAULT-VALUE}.")
    int port;

    @Mixin
    ApiOptions apiOptions;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    WebRtcOptions webrtc;

    @Option(names = "--segment-duration", paramLabel = "N", defaultValue = "2",
            description = "Seconds between key frames of the source rendition's WebRTC encode, as the packager's segments. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds = 2;

    @Option(names = "--allow-files", split = ",", paramLabel = "DIR",
            description = "Directories a file:// source registered through the API may read from; none by default.")
    List<Path> allowFiles = new ArrayList<>();

    @Option(names = "--source-status", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read the sources' state (playing, reconnecting, failed) from streamsr.status on Kafka into /streams. Default: ${DEFAULT-VALUE}.")
    boolean sourceStatus = true;

    @Override
    public Integer call() throws Exception {
        // The stream API is on when a token is set: it writes the registry topic, so it needs Kafka.
        if (apiOptions.enabled()) {
            kafka.awaitBroker();
        }
        StreamRegistry streams = apiOptions.enabled() ? new StreamRegistry(kafka.settings(), allowFiles) : null;
        // What ingest says about each source (reconnecting, failed) joins what the packager wrote.
        SourceBoard sources = sourceStatus ? new SourceBoard(kafka.settings()).start() : null;
        StreamDirectory directory = sources != null ? new StreamDirectory(hlsDir, Clock.systemUTC(), sources) : new StreamDirectory(hlsDir, Clock.systemUTC());
        Health health = new Health("serve").add("hls", directory.health());
        HttpServer http = new HttpServer(directory, metricsOptions.registry(), health);
        // The API writes the registry topic: without Kafka it cannot do its job.
        BrokerProbe broker = streams != null ? kafka.probe(kafka.settings()) : null;
        if (streams != null) {
            TopicAdmin.ensureTopics(kafka.settings(), Topics.defaults(), kafka.topics());
            http.withStreamApi(apiOptions.api(streams));
            health.add("kafka", broker);
        }
        // WebRTC reads Kafka only while someone watches: serve starts without waiting for it.
        dev.streamsr.webrtc.LiveFeeds feeds = webrtc.enabled ? webrtc.feeds(kafka.settings(), segmentSeconds, metricsOptions.registry()) : null;
        if (feeds != null) {
            http.withWebRtc(feeds);
        }
        Shutdown shutdown = new Shutdown();
        try (shutdown; health; broker; streams; sources; feeds; HttpServer server = http.start(host, port)) {
            System.out.println("Serving " + hlsDir.toAbsolutePath() + " at http://" + host + ":" + server.port() + "/");
            shutdown.await();
            health.close();
        }
        return 0;
    }
}
