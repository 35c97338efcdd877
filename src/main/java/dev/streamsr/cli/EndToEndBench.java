package dev.streamsr.cli;

import dev.streamsr.engine.Engines;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.ingest.Source;
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
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmark in one JVM on the embedded broker: a live source through ingest, upscale and package.",
                "Prints ingest-to-HLS-segment latency p50/p99, engine time and the time per frame spent outside the engine."})
final class EndToEndBench implements Callable<Integer> {
    @Option(names = "--source", defaultValue = "test://smpte?fps=30/1&live=true",
            description = "Live source; test:// sources get --size. Default: ${DEFAULT-VALUE}.")
    String source;

    @Option(names = "--size", defaultValue = "320x180", converter = FrameSizeConverter.class, description = "LR input size. Default: ${DEFAULT-VALUE}.")
    FrameSize size;

    @Option(names = "--seconds", defaultValue = "30", description = "Measured duration. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds discarded before measuring. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--model", defaultValue = "bicubic-x4", description = "Model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--segment-duration", defaultValue = "1", description = "HLS segment seconds. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds;

    @Override
    public Integer call() throws Exception {
        SimpleMeterRegistry registry = BenchMetrics.registry(Duration.ofMinutes(10));
        FrameLimits limits = FrameLimits.defaults();
        Path hls = Files.createTempDirectory("streamsr-bench-hls-");
        String uri = source.startsWith("test://") ? source + (source.contains("?") ? "&" : "?") + "size=" + size : source;
        var engineFile = Engines.resolveModel(model);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, limits)) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, limits);
            TopicAdmin.ensureTopics(kafka, Topics.defaults(), new TopicSettings(4, (short) 1, 600_000));
            EncoderSettings encoder = new EncoderSettings("ultrafast", 21, 2, segmentSeconds);
            UpscaleSettings settings = new UpscaleSettings("bench-upscale", false, true, 1, Duration.ofMillis(100), encoder);
            try (UpscaleService upscale = new UpscaleService(kafka, Topics.defaults(), settings, () -> Engines.open("auto", engineFile, 0),
                         registry, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
                 PackagerService packager = new PackagerService(kafka, Topics.defaults(), new HlsSettings(hls, segmentSeconds, 6, 10),
                         new EncoderSettings("ultrafast", 21, 1, segmentSeconds), "bench-package", registry);
                 var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("bench-ingest"));
                 IngestService ingest = new IngestService(IngestSettings.defaults().withMaxInputSize(size),
                         new KafkaFrameSink(producer, Topics.defaults(), registry), registry)) {
                upscale.start();
                packager.start();
                ingest.start(Source.parse(StreamId.of("bench"), uri, true));
                Thread.sleep(warmup * 1000L);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                Snapshot before = Snapshot.of(registry, os.getProcessCpuTime());
                Thread.sleep(seconds * 1000L);
                Snapshot after = Snapshot.of(registry, os.getProcessCpuTime());
                report(registry, before, after, engineFile.getFileName().toString());
            }
        }
        return 0;
    }

    /** Counters and timer totals at one moment, so the report covers only the measured window. */
    private record Snapshot(double framesIn, long upscaled, double engineMs, double processMs, long cpuNanos) {
        static Snapshot of(SimpleMeterRegistry r, long cpuNanos) {
            var in = r.find("streamsr.ingest.frames").counter();
            Timer engine = r.find("streamsr.engine.latency").timer();
            Timer process = r.find("streamsr.upscale.process").timer();
            return new Snapshot(in == null ? 0 : in.count(), process == null ? 0 : process.count(),
                    engine == null ? 0 : engine.totalTime(TimeUnit.MILLISECONDS), process == null ? 0 : process.totalTime(TimeUnit.MILLISECONDS), cpuNanos);
        }
    }

    private void report(SimpleMeterRegistry registry, Snapshot a, Snapshot b, String modelName) {
        Timer segment = registry.find("streamsr.latency.ingest.to.segment").tag("rendition", "sr").timer();
        double in = b.framesIn() - a.framesIn();
        long out = b.upscaled() - a.upscaled();
        System.out.printf("model %s, input %s -> output %dx%d, %d s measured after %d s warm-up, %d cores%n", modelName, size,
                size.width() * 4, size.height() * 4, seconds, warmup, Runtime.getRuntime().availableProcessors());
        System.out.printf("frames in %.0f (%.1f fps), frames upscaled %d (%.1f fps)%n", in, in / seconds, out, (double) out / seconds);
        Timer record = registry.find("streamsr.latency.ingest.to.record").tag("rendition", "sr").timer();
        if (record != null && record.count() > 0) {
            System.out.printf("latency ingest -> SR record read by the packager: p50 %.0f ms, p99 %.0f ms%n", BenchMetrics.pct(record, 0.5), BenchMetrics.pct(record, 0.99));
        }
        if (segment != null && segment.count() > 0) {
            System.out.printf("latency ingest -> HLS segment written: p50 %.0f ms, p99 %.0f ms (%d frames incl. warm-up; segments of %d s)%n",
                    BenchMetrics.pct(segment, 0.5), BenchMetrics.pct(segment, 0.99), segment.count(), segmentSeconds);
        }
        if (out > 0) {
            double e = (b.engineMs() - a.engineMs()) / out;
            double p = (b.processMs() - a.processMs()) / out;
            double cpu = (b.cpuNanos() - a.cpuNanos()) / 1e6 / out;
            System.out.printf("upscale thread per frame: %.2f ms total, %.2f ms engine, %.2f ms outside the engine (history, copies, encode, forward)%n", p, e, p - e);
            System.out.printf("whole JVM CPU per frame (broker, ingest, upscale, both renditions' encoders and muxers): %.2f ms, engine %.2f ms, outside %.2f ms%n",
                    cpu, e, cpu - e);
        }
    }

}
