package dev.streamsr.ingest;

import dev.streamsr.stream.SourceStatus;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.Topics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the state of every stream this instance ingests to {@code streamsr.status}: at once
 * (within a second) when it changes, and every few seconds otherwise so readers can tell a live
 * report from one an instance left behind when it died. A stream this instance stops ingesting gets
 * a tombstone.
 */
public final class StatusReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    static final long HEARTBEAT_MS = 5_000;

    private record Sent(String state, long atMs) {
    }

    private final Producer<byte[], byte[]> producer;
    private final IngestService service;
    private final Map<StreamId, Sent> sent = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().name("ingest-status").daemon(true).unstarted(r));

    public StatusReporter(Producer<byte[], byte[]> producer, IngestService service) {
        this.producer = producer;
        this.service = service;
    }

    public StatusReporter start() {
        timer.scheduleWithFixedDelay(this::report, 0, 500, TimeUnit.MILLISECONDS);
        return this;
    }

    private synchronized void report() {
        try {
            long now = System.currentTimeMillis();
            Map<StreamId, StreamIngest> streams = service.streams();
            streams.forEach((id, ingest) -> {
                String state = ingest.state().name().toLowerCase(Locale.ROOT);
                Sent last = sent.get(id);
                if (last == null || !last.state().equals(state) || now - last.atMs() >= HEARTBEAT_MS) {
                    SourceStatus status = new SourceStatus(id.value(), state, ingest.lastError(), ingest.framesPublished(), now);
                    producer.send(new ProducerRecord<>(Topics.STATUS, id.toKey(), status.toJson()));
                    sent.put(id, new Sent(state, now));
                }
            });
            sent.keySet().removeIf(id -> {
                if (streams.containsKey(id)) {
                    return false;
                }
                producer.send(new ProducerRecord<>(Topics.STATUS, id.toKey(), null));
                return true;
            });
        } catch (RuntimeException e) {
            log.warn("cannot publish stream status: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Last word: what the streams ended as (stopped, ended, failed).
        report();
        producer.flush();
    }
}
