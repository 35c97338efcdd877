package dev.streamsr.bench;

import dev.streamsr.cli.FrameSizeConverter;
import dev.streamsr.engine.Engines;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.WallClock;
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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole flow in one JVM on the embedded broker, as the demo runs it: live sources through
 * ingest, upscale and both renditions of the packager. What it prints is what "keeps up" means:
 * output rate against input rate per stream, ingest-to-SR-record latency over the measured window
 * and its trend (first third against last third), whole-process CPU per frame and where it goes.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmark in one JVM on the embedded broker: live sources through ingest, upscale and package.",
                "Prints fps in and out per stream, ingest-to-SR-record latency p50/p99 and its trend, whole-process CPU per frame by part."})
final class EndToEndBench implements Callable<Integer> {
    @Option(names = "--source", paramLabel = "URI", defaultValue = "test://smpte?fps=30/1&live=true",
            description = "Live source; test:// sources get --size. Default: ${DEFAULT-VALUE}.")
    String source;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "320x180", converter = FrameSizeConverter.class, description = "LR input size. Default: ${DEFAULT-VALUE}.")
    FrameSize size;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1", description = "Number of streams, each its own source. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "30", description = "Measured duration. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "10", description = "Seconds discarded before measuring. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "bicubic-x4", description = "Model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--max-lag", paramLabel = "DURATION", defaultValue = "1s", description = "As upscale --max-lag. Default: ${DEFAULT-VALUE}.")
    Duration maxLag;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "1", description = "Kafka Streams threads, each with its own engine. Default: ${DEFAULT-VALUE}.")
    int streamThreads;

    @Option(names = "--engine-threads", paramLabel = "N", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0: its default. Default: ${DEFAULT-VALUE}.")
    int engineThreads;

    @Option(names = "--encoder-threads", paramLabel = "N", defaultValue = "2", description = "x264 threads of the SR encoder. Default: ${DEFAULT-VALUE}.")
    int encoderThreads;

    @Option(names = "--segment-duration", paramLabel = "N", defaultValue = "1", description = "HLS segment seconds. Default: ${DEFAULT-VALUE}.")
    int segmentSeconds;

    /** One SR record as the bench's own consumer saw it. */
    private record Arrival(String stream, long atNanos, long latencyMs) {
    }

    @Override
    public Integer call() throws Exception {
        SimpleMeterRegistry registry = BenchMetrics.registry(Duration.ofMinutes(10));
        FrameLimits limits = FrameLimits.defaults();
        Path hls = Files.createTempDirectory("streamsr-bench-hls-");
        String uri = source.startsWith("test://") ? source + (source.contains("?") ? "&" : "?") + "size=" + size : source;
        var engineFile = Engines.requireModel(model, dev.streamsr.engine.Backend.AUTO);
        List<Arrival> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean reading = new AtomicBoolean(true);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, limits)) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, limits);
            TopicAdmin.ensureTopics(kafka, Topics.defaults(), new TopicSettings(4, (short) 1, 600_000));
            EncoderSettings encoder = new EncoderSettings("ultrafast", 21, encoderThreads, segmentSeconds);
            UpscaleSettings settings = new UpscaleSettings("bench-upscale", false, true, streamThreads, Duration.ofMillis(100), encoder)
                    .withMaxLag(maxLag);
            Thread reader = Thread.ofPlatform().daemon(true).name("bench-reader").start(() -> read(kafka, arrivals, reading));
            try (UpscaleService upscale = new UpscaleService(kafka, Topics.defaults(), settings,
                         () -> Engines.open("auto", engineFile, engineThreads), registry, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
                 PackagerService packager = new PackagerService(kafka, Topics.defaults(), new HlsSettings(hls, segmentSeconds, 6, 10),
                         new EncoderSettings("ultrafast", 21, 1, segmentSeconds), "bench-package", registry);
                 var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("bench-ingest"));
                 IngestService ingest = new IngestService(IngestSettings.defaults().withMaxInputSize(size),
                         new KafkaFrameSink(producer, Topics.defaults(), registry), registry)) {
                upscale.start();
                packager.start();
                for (int i = 0; i < streams; i++) {
                    ingest.start(Source.parse(StreamId.of(streams == 1 ? "bench" : "bench" + i), uri, true));
                }
                Thread.sleep(warmup * 1000L);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                Map<String, double[]> before = counts(registry);
                double engineBefore = engineMillis(registry);
                double processBefore = processMillis(registry);
                ThreadCpu threadsBefore = ThreadCpu.available() ? ThreadCpu.now() : null;
                long cpuBefore = os.getProcessCpuTime();
                long rssBefore = residentBytes();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L / 3);
                long rssThird = residentBytes();
                Thread.sleep(seconds * 1000L - seconds * 1000L / 3);
                long t1 = System.nanoTime();
                long cpu = os.getProcessCpuTime() - cpuBefore;
                ThreadCpu threadsAfter = ThreadCpu.available() ? ThreadCpu.now() : null;
                Map<String, double[]> after = counts(registry);
                double engineMs = engineMillis(registry) - engineBefore;
                double processMs = processMillis(registry) - processBefore;
                long rssAfter = residentBytes();
                reading.set(false);
                reader.join(2_000);
                report(before, after, arrivals, t0, t1, cpu, threadsBefore == null ? null : threadsAfter.since(threadsBefore, engineMs * 1e6),
                        engineMs, processMs, engineFile.getFileName().toString(), rssBefore, rssThird, rssAfter);
            }
        }
        return 0;
    }

    private static void read(KafkaSettings kafka, List<Arrival> arrivals, AtomicBoolean reading) {
        try (var c = new KafkaConsumer<byte[], byte[]>(kafka.consumer("bench-reader", true))) {
            c.subscribe(List.of(Topics.defaults().sr()));
            while (reading.get()) {
                for (var r : c.poll(Duration.ofMillis(100))) {
                    if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                        arrivals.add(new Arrival(f.frame().stream().value(), System.nanoTime(),
                                (WallClock.nowNanos() - f.frame().ingestNanos()) / 1_000_000));
                    }
                }
            }
        }
    }

    /** Per stream: frames in, skipped for max-lag, skipped for fair share. */
    private static Map<String, double[]> counts(SimpleMeterRegistry r) {
        Map<String, double[]> out = new TreeMap<>();
        for (Counter c : r.find("streamsr.ingest.frames").counters()) {
            out.computeIfAbsent(c.getId().getTag("stream"), k -> new double[3])[0] = c.count();
        }
        for (Counter c : r.find("streamsr.frames.dropped").counters()) {
            String reason = c.getId().getTag("reason");
            int i = "max-lag".equals(reason) ? 1 : "fair-share".equals(reason) ? 2 : -1;
            if (i > 0) {
                out.computeIfAbsent(c.getId().getTag("stream"), k -> new double[3])[i] = c.count();
            }
        }
        return out;
    }

    private static double processMillis(SimpleMeterRegistry r) {
        var t = r.find("streamsr.upscale.process").timer();
        return t == null ? 0 : t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static double engineMillis(SimpleMeterRegistry r) {
        return r.find("streamsr.engine.latency").timers().stream().mapToDouble(t -> t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).sum();
    }

    private void report(Map<String, double[]> a, Map<String, double[]> b, List<Arrival> all, long t0, long t1, long cpuNanos,
                        Map<String, Long> parts, double engineMs, double processMs, String modelName, long rssBefore, long rssThird,
                        long rssAfter) {
        List<Arrival> window = List.copyOf(all).stream().filter(x -> x.atNanos() >= t0 && x.atNanos() < t1).toList();
        double secs = (t1 - t0) / 1e9;
        System.out.printf("model %s, %d stream(s) %s -> %dx%d, %d s measured after %d s warm-up, %d cores, max-lag %s%n", modelName,
                streams, size, size.width() * 4, size.height() * 4, seconds, warmup, Runtime.getRuntime().availableProcessors(), maxLag);
        double inTotal = 0;
        long outMin = Long.MAX_VALUE;
        long outMax = 0;
        for (var e : b.entrySet()) {
            double[] x = e.getValue();
            double[] y = a.getOrDefault(e.getKey(), new double[3]);
            long out = window.stream().filter(w -> w.stream().equals(e.getKey())).count();
            inTotal += x[0] - y[0];
            outMin = Math.min(outMin, out);
            outMax = Math.max(outMax, out);
            System.out.printf("  %-8s in %5.0f (%.1f fps)  upscaled %5d (%.1f fps, %.1f%%)  skipped max-lag %.0f, fair-share %.0f%n", e.getKey(),
                    x[0] - y[0], (x[0] - y[0]) / secs, out, out / secs, 100.0 * out / Math.max(1, x[0] - y[0]), x[1] - y[1], x[2] - y[2]);
        }
        long out = window.size();
        System.out.printf("frames in %.0f (%.1f fps), upscaled %d (%.1f fps): %.1f%% of input; slowest stream %.0f%% of the fastest%n",
                inTotal, inTotal / secs, out, out / secs, 100.0 * out / Math.max(1, inTotal), 100.0 * outMin / Math.max(1, outMax));
        if (!window.isEmpty()) {
            long third = (t1 - t0) / 3;
            List<Long> first = window.stream().filter(x -> x.atNanos() < t0 + third).map(Arrival::latencyMs).sorted().toList();
            List<Long> last = window.stream().filter(x -> x.atNanos() >= t1 - third).map(Arrival::latencyMs).sorted().toList();
            List<Long> sorted = window.stream().map(Arrival::latencyMs).sorted().toList();
            System.out.printf("latency ingest -> SR record: p50 %d ms, p99 %d ms; first third p50/p99 %d/%d ms, last third %d/%d ms (%+.0f%% p99)%n",
                    pct(sorted, 0.5), pct(sorted, 0.99), pct(first, 0.5), pct(first, 0.99), pct(last, 0.5), pct(last, 0.99),
                    100.0 * (pct(last, 0.99) - pct(first, 0.99)) / Math.max(1, pct(first, 0.99)));
        }
        double perFrame = cpuNanos / 1e6 / Math.max(1, out);
        double budget = 1000.0 * Runtime.getRuntime().availableProcessors() / Math.max(1e-9, out / secs);
        System.out.printf("whole-process CPU: %.2f ms per upscaled frame (%.0f%% of %d cores); resident memory %d MB at the start, %d after"
                + " a third, %d at the end; Java heap used after the last GC %d MB%n",
                perFrame, 100.0 * cpuNanos / 1e9 / secs / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors(), rssBefore >> 20, rssThird >> 20, rssAfter >> 20, heapAfterGc() >> 20);
        System.out.printf("upscale thread per frame (wall): %.2f ms, of which the engine call %.2f ms and the rest %.2f ms"
                + " (history, copies, encoder hand-off, forward)%n", processMs / Math.max(1, out), engineMs / Math.max(1, out),
                (processMs - engineMs) / Math.max(1, out));
        if (parts != null) {
            long other = 0;
            for (var p : parts.entrySet()) {
                double ms = p.getValue() / 1e6 / Math.max(1, out);
                if (p.getKey().startsWith("other") && ms < 0.3) {
                    other += p.getValue();
                    continue;
                }
                System.out.printf("  %6.2f ms  %s%n", ms, p.getKey());
            }
            System.out.printf("  %6.2f ms  other threads, each under 0.3 ms%n", other / 1e6 / Math.max(1, out));
        }
    }

    private static long heapAfterGc() {
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get((int) Math.floor(p * (sorted.size() - 1)));
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            // not Linux
        }
        return 0;
    }
}
