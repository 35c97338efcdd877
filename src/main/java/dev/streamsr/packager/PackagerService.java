package dev.streamsr.packager;

import dev.streamsr.kafka.CompactedView;
import dev.streamsr.stream.StreamSpec;

import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.ConsumerLag;
import dev.streamsr.metrics.Health;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The package role: the upscaled rendition from {@code streamsr.sr} (read committed, so aborted
 * output of a crashed upscaler never reaches a player) and the source rendition from
 * {@code streamsr.lr}, each on its own thread.
 */
public final class PackagerService implements AutoCloseable {
    private final List<RenditionPackager> packagers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Producer<byte[], byte[]> dlqProducer;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private final ConsumerLag lag;
    /** The stream registry, for the streams' restream targets. */
    private final CompactedView<StreamSpec> streams;
    /** A poll loop returns at least every 200 ms; writing a segment to a slow disk may hold it a few seconds. */
    private static final long STALL_MS = 30_000;

    public PackagerService(KafkaSettings kafka, Topics topics, HlsSettings hls, EncoderSettings sourceEncoder,
                           String groupId, MeterRegistry registry) {
        this(kafka, topics, hls, sourceEncoder, groupId, registry, Map.of());
    }

    /**
     * {@code outputs}: stream id to the SRT, RTMP or RTSP URI its upscaled rendition is also pushed
     * to (restream). A stream without one here is pushed to its registry spec's {@code output}, which
     * the packager follows while the stream plays.
     */
    public PackagerService(KafkaSettings kafka, Topics topics, HlsSettings hls, EncoderSettings sourceEncoder,
                           String groupId, MeterRegistry registry, Map<String, String> outputs) {
        outputs.values().forEach(Restream::templateFor); // a target we cannot push to is refused before anything starts
        dlqProducer = new KafkaProducer<>(kafka.producer("streamsr-package-dlq"));
        DeadLetters dlq = new DeadLetters(dlqProducer, topics.dlq(), registry);
        // Range assignment gives a consumer the same partition numbers of streamsr.sr and streamsr.audio: a stream's video and audio meet here.
        var srConfig = kafka.consumer(groupId + "-sr", true);
        srConfig.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        KafkaConsumer<byte[], byte[]> sr = new KafkaConsumer<>(srConfig);
        KafkaConsumer<byte[], byte[]> source = new KafkaConsumer<>(kafka.consumer(groupId + "-source", false));
        // Client metrics include records-lag per partition: how far packaging is behind.
        for (var c : List.of(sr, source)) {
            clientMetrics.add(new KafkaClientMetrics(c));
        }
        clientMetrics.forEach(m -> m.bindTo(registry));
        lag = new ConsumerLag(kafka.admin(), List.of(groupId + "-sr", groupId + "-source"), Duration.ofSeconds(5), registry);
        streams = new CompactedView<>(kafka, Topics.STREAMS, "package-registry", StreamSpec::fromJson).start();
        Map<String, String> fixed = Map.copyOf(outputs);
        packagers.add(RenditionPackager.upscaled(sr, topics.sr(), topics.audio(), hls, dlq, registry,
                id -> fixed.containsKey(id) ? fixed.get(id) : streams.get(id).filter(StreamSpec::isEnabled)
                        .map(StreamSpec::output).filter(o -> !o.isBlank()).orElse(null)));
        packagers.add(RenditionPackager.source(source, topics.lr(), hls, sourceEncoder, kafka.limits(), dlq, registry));
    }

    public void start() {
        for (RenditionPackager p : packagers) {
            threads.add(Thread.ofPlatform().name("package-" + threads.size()).daemon(true).start(p));
        }
    }

    /**
     * The {@code package} part of health: each rendition's poll loop. A loop that died is not
     * live; one that has not polled for a while (a stuck muxer or disk) is not ready.
     */
    public Health.Probe health() {
        return () -> {
            Map<String, Object> detail = new LinkedHashMap<>();
            boolean live = true;
            boolean ready = !threads.isEmpty();
            for (int i = 0; i < packagers.size(); i++) {
                RenditionPackager p = packagers.get(i);
                long sincePoll = System.currentTimeMillis() - p.lastPollMs();
                String state;
                if (p.failure() != null || (i < threads.size() && !threads.get(i).isAlive())) {
                    live = false;
                    state = "stopped: " + (p.failure() == null ? "thread ended" : p.failure());
                } else if (sincePoll > STALL_MS) {
                    ready = false;
                    state = "no poll for " + sincePoll / 1000 + " s";
                } else {
                    state = p.openStreams() + " streams";
                }
                detail.put(p.rendition().name().toLowerCase(), state);
            }
            if (!live) {
                return Health.Check.dead("a rendition stopped", detail);
            }
            return ready ? Health.Check.up("writing", detail) : Health.Check.notReady(threads.isEmpty() ? "starting" : "stalled", detail);
        };
    }

    @Override
    public void close() {
        packagers.forEach(RenditionPackager::stop);
        for (Thread t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        streams.close();
        dlqProducer.close();
        clientMetrics.forEach(KafkaClientMetrics::close);
        lag.close();
    }
}
