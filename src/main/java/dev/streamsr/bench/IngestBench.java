package dev.streamsr.bench;

import dev.streamsr.cli.FrameSizeConverter;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.stream.Source;
import dev.streamsr.ingest.StreamIngest;
import dev.streamsr.kafka.EmbeddedKafka;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest throughput into the embedded broker: frames/s and MB/s of a GStreamer test source per frame size.")
final class IngestBench implements Callable<Integer> {
    @Option(names = "--sizes", paramLabel = "WxH", split = ",", defaultValue = "640x360,1280x720", converter = FrameSizeConverter.class,
            description = "Frame sizes to measure. Default: ${DEFAULT-VALUE}.")
    List<FrameSize> sizes;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "1500", description = "Frames per size. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(names = "--pattern", paramLabel = "PATTERN", defaultValue = "smpte", description = "videotestsrc pattern. Default: ${DEFAULT-VALUE}.")
    String pattern;

    @Option(names = "--no-kafka", description = "Discard frames after the pull into Java, to separate GStreamer's share from Kafka's.")
    boolean noKafka;

    @Option(names = "--format", paramLabel = "RGB|I420", defaultValue = "RGB", description = "Frame format on the topic: RGB or I420. Default: ${DEFAULT-VALUE}.")
    dev.streamsr.frame.FrameFormat format;

    @Override
    public Integer call() throws Exception {
        FrameLimits limits = FrameLimits.defaults();
        System.out.printf("%-10s %-5s %8s %10s %10s %10s%n", "size", "fmt", "frames", "seconds", "frames/s", "MB/s");
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, limits)) {
            int run = 0;
            for (FrameSize size : sizes) {
                KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), null, limits);
                Topics topics = Topics.prefixed("bench" + run);
                run++;
                TopicAdmin.ensureTopics(kafka, topics, new TopicSettings(1, (short) 1, 600_000));
                var registry = new SimpleMeterRegistry();
                long bytes = format.payloadBytes(size.width(), size.height()) * frames;
                IngestSettings settings = new IngestSettings(null, format, limits, java.time.Duration.ofMillis(500),
                        java.time.Duration.ofSeconds(30), -1, java.time.Duration.ofSeconds(10), false, 150);
                long t0;
                long t1;
                try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("bench"));
                     IngestService service = new IngestService(settings, noKafka ? discard() : new KafkaFrameSink(producer, topics, registry), registry)) {
                    Source source = Source.parse(StreamId.of("bench"), "test://" + pattern + "?size=" + size + "&fps=30/1&frames=" + frames, false);
                    t0 = System.nanoTime();
                    StreamIngest ingest = service.start(source);
                    service.awaitAll(600_000);
                    producer.flush();
                    t1 = System.nanoTime();
                    if (ingest.framesPublished() != frames) {
                        throw new IllegalStateException("published " + ingest.framesPublished() + " of " + frames + " frames: " + ingest.lastError());
                    }
                }
                double s = (t1 - t0) / 1e9;
                System.out.printf("%-10s %-5s %8d %10.2f %10.1f %10.1f%s%n", size, format, frames, s, frames / s, bytes / s / 1e6,
                        noKafka ? "  (no Kafka)" : "");
            }
        }
        return 0;
    }

    private static dev.streamsr.ingest.FrameSink discard() {
        return new dev.streamsr.ingest.FrameSink() {
            @Override
            public void publish(dev.streamsr.frame.Frame frame) {
            }

            @Override
            public void end(dev.streamsr.frame.EndOfStream end) {
            }
        };
    }
}
