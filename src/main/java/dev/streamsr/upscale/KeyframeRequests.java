package dev.streamsr.upscale;

import dev.streamsr.kafka.ConsumerThreads;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key-frame requests from {@code streamsr.keyframes}: a new WebRTC viewer asks for one so that it
 * sees a picture at once rather than after up to a key-frame interval. Every upscaler reads every
 * request from the end of the topic (they are tiny and rare); the one that owns the stream's
 * encoder takes it. A request nobody takes within a few seconds is forgotten.
 */
final class KeyframeRequests implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyframeRequests.class);
    private static final long FORGET_MS = 5_000;

    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stopping;

    KeyframeRequests(KafkaSettings kafka) {
        Properties p = kafka.consumer("streamsr-keyframes", false);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumer = new KafkaConsumer<>(p);
        thread = Thread.ofPlatform().daemon().name("keyframe-requests").start(this::run);
    }

    /** Whether a key frame was asked for this stream since the last call; takes the request. */
    boolean take(StreamId stream) {
        Long at = pending.remove(stream.value());
        return at != null && System.currentTimeMillis() - at < FORGET_MS;
    }

    private void run() {
        try {
            TopicPartition partition = new TopicPartition(Topics.KEYFRAMES, 0);
            consumer.assign(java.util.List.of(partition));
            consumer.seekToEnd(java.util.List.of(partition));
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null) {
                        pending.put(new String(r.key(), StandardCharsets.UTF_8), System.currentTimeMillis());
                    }
                }
                long now = System.currentTimeMillis();
                pending.values().removeIf(at -> now - at > FORGET_MS);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            // Viewers then wait for the next natural key frame: worse, not broken.
            log.warn("key-frame requests stopped: {}; new WebRTC viewers wait for the next key frame", e.toString());
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        stopping = true;
        ConsumerThreads.stop(consumer, thread);
    }
}
