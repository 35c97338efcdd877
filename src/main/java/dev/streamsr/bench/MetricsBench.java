package dev.streamsr.bench;

import dev.streamsr.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What metrics cost per frame: every meter a frame touches on its way through ingest, upscale
 * and package (the same names, tags and histogram settings as the roles), recorded against the
 * Prometheus registry the roles use, plus a /metrics scrape amortised over the frames between scrapes.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Cost of metric recording per frame, and of a /metrics scrape, against a frame budget.",
                "Prints ns per frame and the share of the frame time given by --frame-ms."})
final class MetricsBench implements Callable<Integer> {
    @Option(names = "--streams", paramLabel = "N", defaultValue = "4", description = "Streams with their own meters. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "2000000", description = "Frames recorded. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "29.1",
            description = "Frame time to compare with (the tiny model's engine time at 320x180 on 2 cores). Default: ${DEFAULT-VALUE}.")
    double frameMs;

    @Option(names = "--fps", paramLabel = "N", defaultValue = "30", description = "Frames per second per stream, to amortise scrapes. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(names = "--scrape-interval", paramLabel = "N", defaultValue = "15", description = "Prometheus scrape interval in seconds. Default: ${DEFAULT-VALUE}.")
    double scrapeSeconds;

    record PerStream(Counter in, Counter up, Counter pkg, Timer engine, Timer process, Timer record, Timer segment) {
    }

    @Override
    public Integer call() {
        PrometheusMeterRegistry registry = Metrics.registry();
        Duration[] buckets = Stream.of(50, 100, 250, 500, 1000, 1500, 2000, 3000, 5000, 8000, 13000, 20000, 30000)
                .map(Duration::ofMillis).toArray(Duration[]::new);
        Timer engine = Timer.builder("streamsr.engine.latency").tags("backend", "onnxruntime", "model", "streamsr-tiny-x4", "batch", "1")
                .publishPercentileHistogram().register(registry);
        Timer process = Timer.builder("streamsr.upscale.process").publishPercentileHistogram().register(registry);
        List<PerStream> s = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String id = "cam" + i;
            s.add(new PerStream(Counter.builder("streamsr.ingest.frames").tag("stream", id).register(registry),
                    Counter.builder("streamsr.upscale.frames").tag("stream", id).register(registry),
                    Counter.builder("streamsr.package.frames").tag("stream", id).tag("rendition", "sr").register(registry),
                    engine, process,
                    Timer.builder("streamsr.latency.ingest.to.record").tag("stream", id).tag("rendition", "sr").serviceLevelObjectives(buckets).register(registry),
                    Timer.builder("streamsr.latency.ingest.to.segment").tag("stream", id).tag("rendition", "sr").serviceLevelObjectives(buckets).register(registry)));
        }
        for (int round = 0; round < 2; round++) {
            // The first round warms up the JIT.
            long t0 = System.nanoTime();
            for (int f = 0; f < frames; f++) {
                PerStream m = s.get(f % streams);
                long v = 1_000_000L + (f & 0xffff) * 997L;
                m.in().increment();
                m.up().increment();
                m.pkg().increment();
                m.engine().record(v, TimeUnit.NANOSECONDS);
                m.process().record(v, TimeUnit.NANOSECONDS);
                m.record().record(v * 20, TimeUnit.NANOSECONDS);
                m.segment().record(v * 100, TimeUnit.NANOSECONDS);
            }
            double recordNs = (System.nanoTime() - t0) / (double) frames;
            int scrapes = 20;
            long t1 = System.nanoTime();
            int bytes = 0;
            for (int i = 0; i < scrapes; i++) {
                bytes = registry.scrape().length();
            }
            double scrapeMs = (System.nanoTime() - t1) / 1e6 / scrapes;
            double framesPerScrape = streams * fps * scrapeSeconds;
            double scrapeNsPerFrame = scrapeMs * 1e6 / framesPerScrape;
            if (round == 1) {
                double total = recordNs + scrapeNsPerFrame;
                System.out.printf("metrics: %d streams, %d frames: recording %.0f ns/frame (7 meters), scrape %.1f ms for %d bytes"
                                + " = %.0f ns/frame at %.0f fps x %d streams every %.0f s%n",
                        streams, frames, recordNs, scrapeMs, bytes, scrapeNsPerFrame, fps, streams, scrapeSeconds);
                System.out.printf("metrics: %.0f ns per frame = %.4f%% of a %.1f ms frame%n", total, 100 * total / (frameMs * 1e6), frameMs);
            }
        }
        return 0;
    }
}
