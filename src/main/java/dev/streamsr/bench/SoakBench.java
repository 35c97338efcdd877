package dev.streamsr.bench;

import dev.streamsr.cli.FrameSizeConverter;
import dev.streamsr.engine.Engines;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.stream.Source;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.packager.PackagerService;
import dev.streamsr.upscale.UpscaleService;
import dev.streamsr.upscale.UpscaleSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * N live streams for M minutes through the whole flow on the embedded broker. Each source stops
 * after exactly fps x duration frames, so every frame can be accounted for once the flow drains:
 * in, upscaled, packaged, dropped by reason, and lost (ingested but never packaged, not dropped).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"N live streams for M minutes on the embedded broker; prints frames in, out, dropped by reason,",
                "lost, RSS at start and end, and ingest-to-segment latency p50/p99."})
final class SoakBench implements Callable<Integer> {
    @Option(names = "--streams", paramLabel = "N", defaultValue = "4", description = "Live streams. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--minutes", paramLabel = "N", defaultValue = "10", description = "Duration. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "160x90", converter = FrameSizeConverter.class, description = "LR size of each stream. Default: ${DEFAULT-VALUE}.")
    FrameSize size;

    @Option(names = "--fps", paramLabel = "N", defaultValue = "15", description = "Frames per second of each stream. Default: ${DEFAULT-VALUE}.")
    int fps;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "bicubic-x4", description = "Model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "2", description = "Upscale stream threads. Default: ${DEFAULT-VALUE}.")
    int streamThreads;

    @Option(names = "--audio", description = "Each stream is a live MPEG-TS over UDP with AAC audio from a gst-launch-1.0 sender, "
            + "instead of a test pattern without audio; audio frames published, muxed and dropped are reported too.")
    boolean audio;

    @Override
    public Integer call() throws Exception {
        SimpleMeterRegistry registry = BenchMetrics.registry(Duration.ofHours(2));
        long framesPerStream = Math.round(minutes * 60 * fps);
        FrameLimits limits = FrameLimits.defaults();
        Path hls = Files.createTempDirectory("streamsr-soak-");
        var engineFile = Engines.requireModel(model, dev.streamsr.engine.Backend.AUTO);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, limits)) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, limits);
            TopicAdmin.ensureTopics(kafka, Topics.defaults(), new TopicSettings(4, (short) 1, 3_600_000));
            EncoderSettings encoder = new EncoderSettings("ultrafast", 23, 1, 2);
            UpscaleSettings settings = new UpscaleSettings("soak-upscale", false, true, streamThreads, Duration.ofMillis(100), encoder);
            try (UpscaleService upscale = new UpscaleService(kafka, Topics.defaults(), settings, () -> Engines.open("auto", engineFile, 1),
                         registry, StreamThreadExceptionResponse.REPLACE_THREAD);
                 PackagerService packager = new PackagerService(kafka, Topics.defaults(), new HlsSettings(hls, 2, 6, 10),
                         new EncoderSettings("ultrafast", 23, 1, 2), "soak-package", registry);
                 var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("soak-ingest"));
                 IngestService ingest = new IngestService(IngestSettings.defaults().withMaxInputSize(size),
                         new KafkaFrameSink(producer, Topics.defaults(), registry), registry)) {
                upscale.start();
                packager.start();
                java.util.List<Process> senders = new java.util.ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    String uri = "test://ball?live=true&fps=" + fps + "/1&size=" + size + "&frames=" + framesPerStream;
                    if (audio) {
                        int port;
                        try (java.net.DatagramSocket d = new java.net.DatagramSocket(0)) {
                            port = d.getLocalPort();
                        }
                        senders.add(new ProcessBuilder(("gst-launch-1.0 -q videotestsrc is-live=true pattern=ball ! video/x-raw,width="
                                + size.width() + ",height=" + size.height() + ",framerate=" + fps + "/1 ! x264enc tune=zerolatency "
                                + "speed-preset=ultrafast key-int-max=" + fps + " ! mpegtsmux name=mux alignment=7 ! udpsink host=127.0.0.1 port="
                                + port + " audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! mux.")
                                .split(" ")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
                        uri = "udp://127.0.0.1:" + port;
                    }
                    ingest.start(Source.parse(StreamId.of("soak" + i), uri, false));
                }
                Thread.sleep(15_000);
                long rssStart = rssKb();
                System.out.printf("soak: %d streams x %d frames (%s at %d fps, %.1f min%s), model %s; RSS after 15 s: %d MB%n",
                        streams, framesPerStream, size, fps, minutes, audio ? ", UDP MPEG-TS with AAC" : "", engineFile.getFileName(), rssStart / 1024);
                if (audio) {
                    // Live senders never end: stop ingest after the duration, which ends each stream with its marker.
                    Thread.sleep((long) (minutes * 60_000) - 15_000);
                    for (int i = 0; i < streams; i++) {
                        ingest.stop(StreamId.of("soak" + i));
                    }
                    senders.forEach(Process::destroy);
                } else {
                    ingest.awaitAll((long) (minutes * 60_000) + 120_000);
                }
                long rssEnd = rssKb();
                // Drain: wait until packaging stops moving.
                double last = -1;
                for (int i = 0; i < 120; i++) {
                    double now = sum(registry, "streamsr.package.frames", "sr");
                    if (now == last && now > 0) {
                        break;
                    }
                    last = now;
                    Thread.sleep(1000);
                }
                report(registry, rssStart, rssEnd);
            }
        }
        return 0;
    }

    private void report(SimpleMeterRegistry r, long rssStart, long rssEnd) {
        long lostTotal = 0;
        for (int i = 0; i < streams; i++) {
            String id = "soak" + i;
            double in = count(r.find("streamsr.ingest.frames").tag("stream", id).counter());
            double up = count(r.find("streamsr.upscale.frames").tag("stream", id).counter());
            double pk = count(r.find("streamsr.package.frames").tag("stream", id).tag("rendition", "sr").counter());
            Map<String, Double> dropped = new TreeMap<>();
            r.find("streamsr.frames.dropped").tag("stream", id).counters().forEach(c -> {
                if (c.count() > 0) {
                    dropped.merge(c.getId().getTag("reason"), c.count(), Double::sum);
                }
            });
            double droppedAfterIngest = dropped.entrySet().stream().filter(e -> !e.getKey().equals("source-overrun") && !e.getKey().equals("oversize"))
                    .mapToDouble(Map.Entry::getValue).sum();
            long lost = Math.round(in - pk - droppedAfterIngest);
            lostTotal += lost;
            System.out.printf("soak: %s in %.0f, upscaled %.0f, packaged %.0f, dropped %s, lost %d%s%n", id, in, up, pk, dropped, lost,
                    audio ? String.format(", audio frames published %.0f, muxed %.0f, dropped %.0f",
                            count(r.find("streamsr.ingest.audio.frames").tag("stream", id).counter()),
                            count(r.find("streamsr.audio.frames").tag("stream", id).counter()),
                            count(r.find("streamsr.audio.dropped").tag("stream", id).counter())) : "");
        }
        double dlq = r.find("streamsr.dlq.records").counters().stream().mapToDouble(Counter::count).sum();
        Timer seg = r.find("streamsr.latency.ingest.to.segment").tag("rendition", "sr").timer();
        System.out.printf("soak: lost %d in all, DLQ %.0f; RSS %d MB -> %d MB (%+.1f%%); ingest -> segment p50 %.0f ms, p99 %.0f ms%n",
                lostTotal, dlq, rssStart / 1024, rssEnd / 1024, 100.0 * (rssEnd - rssStart) / rssStart, BenchMetrics.pct(seg, 0.5), BenchMetrics.pct(seg, 0.99));
    }

    private static double sum(SimpleMeterRegistry r, String name, String rendition) {
        return r.find(name).tag("rendition", rendition).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double count(Counter c) {
        return c == null ? 0 : c.count();
    }

    private static long rssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
