package dev.streamsr.webrtc;

import dev.streamsr.kafka.ConsumerThreads;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.metrics.Meters;
import dev.streamsr.packager.Rendition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebRTC viewing for the serve role: WHEP sessions on the streams' live records. One consumer
 * reads, from their end, only the partitions that hold a watched stream (both renditions and the
 * audio), so any serve instance can serve any stream and a wall of unwatched cameras costs
 * nothing here. Records go to the watched stream's {@link StreamFeed}.
 */
public final class LiveFeeds implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveFeeds.class);

    /** A WHEP session: its id names its URL, the answer goes back to the browser. */
    public record Session(String id, String answer) {
    }

    private final Topics topics;
    private final EncoderSettings sourceEncoder;
    private final IceServers ice;
    private final int maxViewers;
    private final MeterRegistry registry;
    private final Map<StreamId, StreamFeed> feeds = new ConcurrentHashMap<>();
    private final Map<String, StreamFeed> sessions = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;
    private final Timer startTimer;
    private volatile boolean watchedChanged = true;
    private volatile boolean stopping;
    private volatile String failure;

    public LiveFeeds(KafkaSettings kafka, Topics topics, EncoderSettings sourceEncoder, IceServers ice, int maxViewers, MeterRegistry registry) {
        this.topics = topics;
        this.sourceEncoder = sourceEncoder;
        this.ice = ice;
        this.maxViewers = maxViewers;
        this.registry = registry;
        Properties c = kafka.consumer("streamsr-webrtc", true);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumer = new KafkaConsumer<>(c);
        producer = new KafkaProducer<>(kafka.producer("streamsr-webrtc"));
        startTimer = Meters.webrtcStart(registry);
        Meters.webrtcViewers(registry, Rendition.SR.dirName(), this, f -> f.viewers(true));
        Meters.webrtcViewers(registry, Rendition.SOURCE.dirName(), this, f -> f.viewers(false));
        thread = Thread.ofPlatform().daemon().name("webrtc-feeds").start(this::run);
    }

    /**
     * Answers a viewer's offer for one rendition of a stream. Throws {@link IllegalArgumentException}
     * for an offer that cannot be answered and {@link IllegalStateException} when this process is full
     * or not running.
     */
    public Session open(StreamId stream, Rendition rendition, String offerSdp) throws Exception {
        Offer offer = Offer.parse(offerSdp);
        if (failure != null) {
            throw new IllegalStateException("WebRTC is down here: " + failure);
        }
        if (sessions.size() >= maxViewers) {
            throw new IllegalStateException("this server already has " + maxViewers + " WebRTC viewers (--webrtc-max-viewers)");
        }
        String id = UUID.randomUUID().toString();
        Viewer viewer = new Viewer(id, offer, rendition == Rendition.SR, ice);
        String answer;
        try {
            answer = viewer.answer(offer, Duration.ofSeconds(5));
        } catch (Exception | Error e) {
            viewer.close();
            throw e;
        }
        // Under the lock the consumer thread also takes to drop idle feeds: a feed found here is not closed before the viewer is in it.
        synchronized (feeds) {
            StreamFeed feed = feeds.computeIfAbsent(stream, s -> new StreamFeed(s, sourceEncoder, this::requestKeyframe));
            sessions.put(id, feed);
            feed.add(rendition, viewer);
        }
        watchedChanged = true;
        log.info("stream {}: WebRTC viewer {} ({}) answered", stream, id, rendition.dirName());
        return new Session(id, answer);
    }

    /** Ends a session; false if there is none by that id. */
    public boolean close(StreamId stream, String sessionId) {
        StreamFeed feed = sessions.get(sessionId);
        if (feed == null || !feed.stream().equals(stream)) {
            return false;
        }
        sessions.remove(sessionId);
        Viewer v = feed.remove(sessionId);
        if (v != null) {
            v.close();
            log.info("stream {}: WebRTC viewer {} left", stream, sessionId);
        }
        watchedChanged = true;
        return true;
    }

    /** The stream's playout delay (ingest to send) in ms, or -1 when no upscaled frame has arrived; what the page shows as latency. */
    public long delayMs(StreamId stream) {
        StreamFeed f = feeds.get(stream);
        return f == null ? -1 : f.delayMs();
    }

    /** Null while the feeds run; why they stopped otherwise. */
    public String failure() {
        return failure;
    }

    private int viewers(boolean upscaled) {
        return feeds.values().stream().mapToInt(f -> f.viewers(upscaled)).sum();
    }

    private void requestKeyframe(StreamId stream) {
        producer.send(new ProducerRecord<>(Topics.KEYFRAMES, stream.toKey(), new byte[0]));
    }

    private void run() {
        Set<TopicPartition> assigned = new HashSet<>();
        long lastSweep = 0;
        try {
            while (!stopping) {
                if (watchedChanged) {
                    watchedChanged = false;
                    try {
                        assigned = reassign(assigned);
                    } catch (org.apache.kafka.common.KafkaException e) {
                        // Kafka away: viewers see no frames until it is back; try again on the next turn.
                        log.warn("WebRTC feeds cannot read their partitions: {}", e.toString());
                        watchedChanged = true;
                        Thread.sleep(1000);
                    }
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(50);
                } else {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        dispatch(r);
                    }
                }
                long now = System.currentTimeMillis();
                if (now - lastSweep > 500) {
                    lastSweep = now;
                    sweep(now);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("WebRTC feeds stopped", e);
        } finally {
            consumer.close();
        }
    }

    private Set<TopicPartition> reassign(Set<TopicPartition> before) {
        Set<TopicPartition> wanted = new HashSet<>();
        synchronized (feeds) {
            feeds.values().removeIf(f -> {
                if (f.idle()) {
                    f.close();
                    return true;
                }
                return false;
            });
        }
        for (String topic : feeds.isEmpty() ? List.<String>of() : List.of(topics.sr(), topics.lr(), topics.audio())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                continue;
            }
            for (StreamId s : feeds.keySet()) {
                wanted.add(new TopicPartition(topic, Utils.toPositive(Utils.murmur2(s.toKey())) % partitions.size()));
            }
        }
        if (!wanted.equals(before)) {
            consumer.assign(wanted);
            Set<TopicPartition> added = new HashSet<>(wanted);
            added.removeAll(before);
            // Live from now: a viewer never gets what was already late.
            consumer.seekToEnd(added);
        }
        return wanted;
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> r) {
        Decoded decoded = FrameHeaders.decode(r.key(), r.headers(), r.value());
        long now = System.currentTimeMillis();
        switch (decoded) {
            case Decoded.FrameRecord f -> {
                StreamFeed feed = feeds.get(f.frame().stream());
                if (feed == null) {
                    return;
                }
                if (r.topic().equals(topics.sr())) {
                    feed.upscaled(f.frame(), now);
                } else {
                    feed.source(f.frame(), now);
                }
            }
            case Decoded.AudioRecord a -> {
                StreamFeed feed = feeds.get(a.audio().stream());
                if (feed != null) {
                    feed.audio(a.audio(), now);
                }
            }
            default -> {
                // Ends and bad records are the packager's and upscaler's business; a viewer just sees no new frames.
            }
        }
    }

    private void sweep(long now) {
        for (StreamFeed feed : feeds.values()) {
            feed.sweep(now, v -> {
                sessions.remove(v.id());
                v.close();
                watchedChanged = true;
            }, startedMs -> startTimer.record(startedMs, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void close() {
        stopping = true;
        ConsumerThreads.stop(consumer, thread);
        feeds.values().forEach(StreamFeed::close);
        feeds.clear();
        sessions.clear();
        producer.close(Duration.ofSeconds(2));
    }
}
