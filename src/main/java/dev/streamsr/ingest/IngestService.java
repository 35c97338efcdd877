package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.StreamState;
import dev.streamsr.frame.StreamId;
import dev.streamsr.stream.Region;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ingest role: one {@link StreamIngest} and one thread per stream, started and stopped independently. */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private record Running(StreamIngest ingest, Thread thread) {
    }

    private final IngestSettings settings;
    private final FrameSink sink;
    private final MeterRegistry registry;
    private final Map<StreamId, Running> streams = new ConcurrentHashMap<>();

    /** A camera decoded once for the region streams cut from it, and which streams those are. */
    private record Shared(SharedDecoder decoder, java.util.Set<StreamId> users) {
    }

    /** By camera (URI, and whether it loops): real-time sources with regions share one connection. */
    private final Map<String, Shared> shared = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger sharedIds = new java.util.concurrent.atomic.AtomicInteger();

    public IngestService(IngestSettings settings, FrameSink sink, MeterRegistry registry) {
        this.settings = settings;
        this.sink = sink;
        this.registry = registry;
    }

    public StreamIngest start(Source source) {
        return start(source, settings);
    }

    /** Starts a stream with its own settings (a registered stream's max input size). */
    public StreamIngest start(Source source, IngestSettings settings) {
        return start(source, settings, null);
    }

    /** Starts a stream that upscales only {@code region} of its source's picture (null: all of it). */
    public StreamIngest start(Source source, IngestSettings settings, Region region) {
        Running existing = streams.get(source.stream());
        if (existing != null && existing.thread().isAlive()) {
            throw new IllegalStateException("stream " + source.stream() + " is already being ingested");
        }
        SharedDecoder decoder = null;
        if (region != null && source.realTime()) {
            // Several regions of one camera: one connection and one decode, each region cut from the decoded picture.
            Shared s = shared.computeIfAbsent(source.uri() + (source.loop() ? "#loop" : ""), key -> {
                SharedDecoder d = new SharedDecoder(StreamId.of("shared-" + sharedIds.incrementAndGet()), source, settings, registry);
                log.info("stream {}: {} is decoded once for its region streams, as {}", source.stream(), source.display(), d.camera().source().stream());
                return new Shared(d, ConcurrentHashMap.newKeySet());
            });
            s.users().add(source.stream());
            decoder = s.decoder();
        }
        StreamIngest ingest = new StreamIngest(source, settings, sink, registry, decoder);
        if (region != null) {
            ingest.region(region);
        }
        Thread thread = Thread.ofPlatform().name("ingest-" + source.stream()).daemon(true).unstarted(ingest);
        streams.put(source.stream(), new Running(ingest, thread));
        thread.start();
        log.info("stream {}: ingesting {} ({})", source.stream(), source.display(), source.kind().name().toLowerCase());
        return ingest;
    }

    public void stop(StreamId stream) {
        Running r = streams.remove(stream);
        if (r != null) {
            r.ingest().stop();
            join(r.thread());
            // Gauges read the StreamIngest object: a stream started again must not keep reading the old one.
            for (String gauge : new String[] {Meters.SOURCE_STATE, Meters.SOURCE_LAST_FRAME_AGE, Meters.INGEST_BUFFERED}) {
                registry.find(gauge).tag("stream", stream.value()).meters().forEach(registry::remove);
            }
            log.info("stream {}: stopped", stream);
            release(stream);
        }
    }

    /** The last region stream of a camera leaves: its shared connection closes. */
    private void release(StreamId stream) {
        shared.entrySet().removeIf(e -> {
            if (e.getValue().users().remove(stream) && e.getValue().users().isEmpty()) {
                e.getValue().decoder().stop();
                return true;
            }
            return false;
        });
    }

    /** Cameras decoded once for several region streams, and how many connections that is (one each). */
    public int sharedDecoders() {
        return shared.size();
    }

    /**
     * The {@code sources} part of health. A camera that is down is the camera's problem, not this
     * process's: its state and last error are shown, and the role stays ready for the others.
     */
    public dev.streamsr.metrics.Health.Probe health() {
        return () -> {
            Map<String, Object> detail = new java.util.TreeMap<>();
            streams.forEach((id, r) -> {
                StreamIngest s = r.ingest();
                detail.put(id.value(), s.state().name().toLowerCase() + ", " + s.framesPublished() + " frames"
                        + (s.lastError() == null ? "" : " (" + Credentials.mask(s.lastError()) + ")"));
            });
            long playing = streams.values().stream().filter(r -> r.ingest().state() == StreamState.PLAYING).count();
            return dev.streamsr.metrics.Health.Check.up(playing + " of " + streams.size() + " playing", detail);
        };
    }

    public Map<StreamId, StreamIngest> streams() {
        Map<StreamId, StreamIngest> out = new ConcurrentHashMap<>();
        streams.forEach((id, r) -> out.put(id, r.ingest()));
        return out;
    }

    /** Waits until every finite stream has ended; live streams never do, so callers use a timeout. */
    public boolean awaitAll(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (Running r : streams.values()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            r.thread().join(left);
            if (r.thread().isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        streams.values().forEach(r -> r.ingest().stop());
        streams.values().forEach(r -> join(r.thread()));
        streams.clear();
        shared.values().forEach(s -> s.decoder().stop());
        shared.clear();
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
