package dev.streamsr.packager;

import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Packages one rendition of every stream it is assigned: polls its topic (and, for the upscaled
 * rendition, {@code streamsr.audio}), and hands each record to the stream's {@link StreamOutput}.
 * Which rendition it is only decides where access units come from ({@link AccessUnits}) and
 * whether audio is muxed.
 */
final class RenditionPackager implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RenditionPackager.class);

    private final Rendition rendition;
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String audioTopic;
    private final HlsSettings hls;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Function<StreamId, AccessUnits> units;
    /** Stream id to the URI its rendition is also pushed to, or null; always null for the source rendition. */
    private final Function<String, String> targets;
    private final Map<StreamId, StreamOutput> outputs = new HashMap<>();
    private final java.util.Set<String> refused = new java.util.HashSet<>();
    private volatile boolean stopping;
    /** What health reads from another thread. */
    private volatile int openStreams;
    private volatile long lastPollMs = System.currentTimeMillis();
    private volatile String failure;

    private RenditionPackager(Rendition rendition, Consumer<byte[], byte[]> consumer, String topic, String audioTopic, HlsSettings hls,
                              DeadLetters deadLetters, MeterRegistry registry, Function<StreamId, AccessUnits> units,
                              Function<String, String> targets) {
        this.targets = targets;
        this.rendition = rendition;
        this.consumer = consumer;
        this.topic = topic;
        this.audioTopic = audioTopic;
        this.hls = hls;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.units = units;
    }

    /** The upscaled rendition: access units from {@code topic} as they are, with the stream's audio muxed beside them. */
    static RenditionPackager upscaled(Consumer<byte[], byte[]> consumer, String topic, String audioTopic, HlsSettings hls,
                                      DeadLetters deadLetters, MeterRegistry registry, Function<String, String> outputs) {
        return new RenditionPackager(Rendition.SR, consumer, topic, audioTopic, hls, deadLetters, registry,
                id -> new PassThroughUnits(topic, deadLetters), outputs);
    }

    /** The source rendition: raw frames from {@code topic} encoded at their own size, video only. */
    static RenditionPackager source(Consumer<byte[], byte[]> consumer, String topic, HlsSettings hls, EncoderSettings encoder,
                                    FrameLimits limits, DeadLetters deadLetters, MeterRegistry registry) {
        return new RenditionPackager(Rendition.SOURCE, consumer, topic, null, hls, deadLetters, registry,
                id -> new EncodedUnits(topic, limits, encoder, Meters.framesDropped(registry, id.value(), "invalid")), id -> null);
    }

    /** Null while the poll loop runs; why it ended otherwise. */
    String failure() {
        return failure;
    }

    int openStreams() {
        return openStreams;
    }

    long lastPollMs() {
        return lastPollMs;
    }

    Rendition rendition() {
        return rendition;
    }

    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        List<String> topics = new ArrayList<>(List.of(topic));
        if (audioTopic != null) {
            topics.add(audioTopic);
        }
        consumer.subscribe(topics);
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handle(r);
                }
                long now = System.currentTimeMillis();
                outputs.values().forEach(o -> o.status(now, false));
                followTargets();
                openStreams = outputs.size();
                lastPollMs = now;
            }
        } catch (WakeupException e) {
            if (!stopping) {
                failure = "woken up while running";
                throw e;
            }
        } catch (RuntimeException | Error e) {
            failure = e.toString();
            log.error("{} packager stopped", rendition.name().toLowerCase(), e);
            throw e;
        } finally {
            // A stop ends what is open: the last segment is written and players see #EXT-X-ENDLIST.
            // A packager that takes the stream over later continues the playlist with a discontinuity.
            outputs.values().forEach(StreamOutput::end);
            outputs.clear();
            consumer.close();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        Decoded decoded = FrameHeaders.decode(r.key(), r.headers(), r.value());
        switch (decoded) {
            case Decoded.Invalid bad -> {
                // Bad LR records are the upscaler's to dead-letter; only this role's own input goes there from here.
                if (rendition == Rendition.SR) {
                    deadLetters.send(r.topic(), r.key(), r.value(), r.headers(), bad.stream(), bad.violation());
                }
            }
            case Decoded.AudioRecord a -> {
                if (audioTopic != null) {
                    output(a.audio().stream()).audio(a.audio());
                }
            }
            case Decoded.EndRecord end -> {
                StreamOutput o = outputs.remove(end.end().stream());
                if (o != null) {
                    o.end();
                }
            }
            case Decoded.FrameRecord f -> {
                StreamId stream = f.frame().stream();
                MDC.put("stream", stream.value());
                try {
                    output(stream).write(f.frame());
                } catch (RuntimeException e) {
                    log.error("stream {}: {} rendition failed at seq {}: {}", stream, rendition.dirName(), f.frame().seq(), e.getMessage());
                    StreamOutput o = outputs.remove(stream);
                    if (o != null) {
                        o.abort();
                    }
                } finally {
                    MDC.remove("stream");
                }
            }
        }
    }

    private StreamOutput output(StreamId stream) {
        return outputs.computeIfAbsent(stream, id -> new StreamOutput(id, rendition, hls, units.apply(id), audioTopic != null, registry,
                restream(id, targets.apply(id.value()))));
    }

    /** A stream whose target changed in the registry (added, moved, removed) is pushed to the new one from its next key frame. */
    private void followTargets() {
        outputs.forEach((id, o) -> {
            String target = targets.apply(id.value());
            if (!java.util.Objects.equals(target, o.target()) && !refused.contains(target)) {
                try {
                    o.retarget(restream(id, target));
                } catch (IllegalArgumentException e) {
                    refused.add(target); // said once, not every poll
                    log.warn("stream {}: {}", id, e.getMessage());
                }
            }
        });
    }

    private Restream restream(StreamId id, String target) {
        return target == null ? null : new Restream(id, target, Meters.framesDropped(registry, id.value(), "output-unavailable"));
    }
}
