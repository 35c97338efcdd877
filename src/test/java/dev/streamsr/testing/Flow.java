package dev.streamsr.testing;

import dev.streamsr.engine.Engine;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.ingest.KafkaFrameSink;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.packager.PackagerService;
import dev.streamsr.upscale.EngineFactories;
import dev.streamsr.upscale.UpscaleService;
import dev.streamsr.upscale.UpscaleSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/** Wires real roles together on a broker with topics of their own, and closes them in reverse order. */
public final class Flow implements AutoCloseable {
    private static final AtomicInteger RUN = new AtomicInteger();

    public final KafkaSettings kafka;
    public final Topics topics;
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final String applicationId;

    public Flow(KafkaSettings kafka) {
        this.kafka = kafka;
        int n = RUN.incrementAndGet();
        this.topics = Topics.prefixed("flow" + n);
        this.applicationId = "flow" + n + "-upscale";
        TopicAdmin.ensureTopics(kafka, topics, new TopicSettings(4, (short) 1, 600_000));
    }

    public IngestService ingest(IngestSettings settings) {
        var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("flow-ingest"));
        IngestService s = new IngestService(settings, new KafkaFrameSink(producer, topics, registry), registry);
        open.add(producer);
        open.add(s);
        return s;
    }

    public UpscaleService upscale(boolean changelog, Supplier<Engine> engines, EncoderSettings encoder,
                                  StreamThreadExceptionResponse onCrash) {
        return upscale(changelog, EngineFactories.of(engines), encoder, onCrash);
    }

    /** An upscaler with a default model and tuned ones, which streams ask for by their model. */
    public UpscaleService upscale(boolean changelog, EngineFactories engines, EncoderSettings encoder,
                                  StreamThreadExceptionResponse onCrash) {
        UpscaleSettings settings = UpscaleSettings.defaults().withChangelog(changelog).withEncoder(encoder);
        settings = new UpscaleSettings(applicationId, settings.changelogState(), true, 1, settings.commitInterval(), encoder);
        UpscaleService s = new UpscaleService(kafka, topics, settings, engines, registry, onCrash);
        open.add(s);
        s.start();
        return s;
    }

    /** An upscaler with settings of the test's own (batching, max lag); the application id stays this flow's. */
    public UpscaleService upscale(UpscaleSettings tweaked, Supplier<Engine> engines, StreamThreadExceptionResponse onCrash) {
        UpscaleSettings settings = new UpscaleSettings(applicationId, tweaked.changelogState(), true, tweaked.streamThreads(),
                tweaked.commitInterval(), tweaked.encoder(), tweaked.maxBatch(), tweaked.batchWindow(), tweaked.maxLag());
        UpscaleService s = new UpscaleService(kafka, topics, settings, engines, registry, onCrash);
        open.add(s);
        s.start();
        return s;
    }

    public PackagerService packager(HlsSettings hls) {
        return packager(hls, java.util.Map.of());
    }

    /** A packager that also pushes streams' upscaled renditions to {@code outputs} (id to an srt://, rtmp:// or rtsp:// URI). */
    public PackagerService packager(HlsSettings hls, java.util.Map<String, String> outputs) {
        PackagerService p = new PackagerService(kafka, topics, hls, new EncoderSettings("ultrafast", 18, 1, hls.segmentSeconds()),
                applicationId + "-package", registry, outputs);
        open.add(p);
        p.start();
        return p;
    }

    /** Concatenates the segments a playlist lists, in order, into one MPEG-TS file. */
    public static Path concatenate(Path playlist, Path out) throws IOException {
        List<String> segments = Files.readAllLines(playlist).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        try (var os = Files.newOutputStream(out)) {
            for (String s : segments) {
                Path seg = playlist.resolveSibling(Path.of(s).getFileName());
                Files.copy(seg, os);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
