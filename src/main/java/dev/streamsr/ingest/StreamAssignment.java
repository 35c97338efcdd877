package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamSpec;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the registered streams between ingest instances: the instances form one consumer group
 * on {@code streamsr.streams}, each ingests the streams whose records land on its partitions, and
 * when an instance leaves or dies its partitions, and so its streams, move to the others. Each
 * instance replays its partitions from the beginning (the topic is compacted) and starts, stops
 * or restarts streams to match.
 */
public final class StreamAssignment implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamAssignment.class);
    private final IngestService ingest;
    private final IngestSettings settings;
    private final boolean loopFiles;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Integer, Map<String, StreamSpec>> byPartition = new HashMap<>();
    private final Map<TopicPartition, Long> loading = new HashMap<>();
    private final Map<String, StreamSpec> running = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public StreamAssignment(KafkaSettings kafka, String groupId, IngestService ingest, IngestSettings settings, boolean loopFiles) {
        this.ingest = ingest;
        this.settings = settings;
        this.loopFiles = loopFiles;
        Properties p = kafka.consumer(groupId, false);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A dead instance's streams move after this long.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        // Cooperative rebalancing moves only the partitions that change owner: an instance joining
        // or dying must not restart the streams that stay where they are.
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.thread = Thread.ofPlatform().name("stream-assignment").daemon(true).unstarted(this::run);
    }

    public StreamAssignment start() {
        thread.start();
        return this;
    }
    private void run() {
        try {
            consumer.subscribe(List.of(Topics.STREAMS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    drop(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    drop(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    consumer.seekToBeginning(partitions);
                    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                    synchronized (StreamAssignment.this) {
                        for (TopicPartition tp : partitions) {
                            byPartition.put(tp.partition(), new HashMap<>());
                            if (end.getOrDefault(tp, 0L) > 0) {
                                loading.put(tp, end.get(tp));
                            }
                        }
                    }
                    log.info("stream registry: partitions {} assigned to this ingest instance", partitions.stream().map(TopicPartition::partition).sorted().toList());
                    reconcile();
                }
            });
            while (!closed) {
                var records = consumer.poll(Duration.ofMillis(500));
                synchronized (this) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        Map<String, StreamSpec> part = byPartition.computeIfAbsent(r.partition(), k -> new HashMap<>());
                        StreamRegistry.apply(part, r);
                    }
                    loading.entrySet().removeIf(e -> !consumer.assignment().contains(e.getKey()) || consumer.position(e.getKey()) >= e.getValue());
                }
                reconcile();
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("stream registry consumer failed; registered streams are no longer followed", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private synchronized void drop(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            Map<String, StreamSpec> gone = byPartition.remove(tp.partition());
            loading.remove(tp);
            if (gone != null) {
                for (String id : gone.keySet()) {
                    if (running.remove(id) != null) {
                        ingest.stop(StreamId.of(id));
                    }
                }
            }
        }
        if (!partitions.isEmpty()) {
            log.info("stream registry: partitions {} left this ingest instance", partitions.stream().map(TopicPartition::partition).sorted().toList());
        }
    }

    /**
     * Only the region or the model changed: the running stream takes them on, with no reconnect.
     * False when it cannot (then it restarts).
     */
    private boolean changeLive(StreamSpec spec, StreamSpec before) {
        StreamIngest running = ingest.streams().get(StreamId.of(spec.id()));
        if (running == null) {
            return false;
        }
        try {
            if (!java.util.Objects.equals(spec.roi(), before.roi())) {
                running.region(spec.roi());
            }
            running.tuning(spec.tuning());
            return true;
        } catch (IllegalArgumentException e) {
            log.error("stream {}: cannot move the region: {}", spec.id(), e.getMessage());
            return false;
        }
    }

    /** Starts, stops and restarts streams to match the registry, once the assigned partitions are replayed. */
    private synchronized void reconcile() {
        if (!loading.isEmpty()) {
            return;
        }
        Map<String, StreamSpec> desired = new HashMap<>();
        byPartition.values().forEach(part -> part.forEach((id, spec) -> {
            if (spec.isEnabled()) {
                // Where the upscaled rendition goes is the packager's business: a new output must not restart the source.
                desired.put(id, spec.withOutput(null));
            }
        }));
        for (String id : new HashSet<>(running.keySet())) {
            StreamSpec want = desired.get(id);
            StreamSpec have = running.get(id);
            if (want != null && !want.equals(have) && livePart(want).equals(livePart(have)) && changeLive(want, have)) {
                running.put(id, want);
                continue;
            }
            if (want == null || !want.equals(have)) {
                running.remove(id);
                ingest.stop(StreamId.of(id));
            }
        }
        for (var e : desired.entrySet()) {
            if (running.containsKey(e.getKey())) {
                continue;
            }
            StreamSpec spec = e.getValue();
            try {
                StreamId id = StreamId.of(spec.id());
                IngestSettings s = spec.maxInput() != null ? settings.withMaxInputSize(spec.maxInput()) : settings;
                Source source = Source.parse(id, spec.uri(), loopFiles);
                ingest.start(source, s, spec.roi()).tuning(spec.tuning());
                running.put(e.getKey(), spec);
            } catch (RuntimeException ex) {
                log.error("stream {}: cannot start registered source {}: {}", spec.id(), Credentials.mask(spec.uri()),
                        Credentials.mask(ex.getMessage()));
                running.put(e.getKey(), spec);
            }
        }
    }

    /** What a running stream cannot change without a restart: all but its region and its model. */
    private static StreamSpec livePart(StreamSpec spec) {
        return spec.withRegion(null).withModel(null);
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            running.keySet().forEach(id -> ingest.stop(StreamId.of(id)));
            running.clear();
        }
    }
}
