package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between a live source and Kafka: a bounded queue drained by a thread of its own. When the
 * broker is slow or gone, the source keeps playing, the newest {@code capacity} frames wait here
 * (on top of what the producer's own bounded buffer holds) and the oldest are dropped and counted,
 * so the stream resumes live, not minutes behind, when the broker is back. Order is kept.
 */
final class LiveOutbox implements FrameSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveOutbox.class);
    private static final long RETRY_MS = 500;

    private final StreamId stream;
    private final FrameSink downstream;
    private final int capacity;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final Counter dropped;
    private final Thread sender;
    private volatile boolean closed;
    private boolean sending;
    private int highWater;

    LiveOutbox(StreamId stream, FrameSink downstream, int capacity, MeterRegistry registry) {
        this.stream = stream;
        this.downstream = downstream;
        this.capacity = capacity;
        this.dropped = Meters.framesDropped(registry, stream.value(), "broker-backlog");
        Meters.ingestBuffered(registry, stream.value(), this, LiveOutbox::size);
        this.sender = Thread.ofVirtual().name("outbox-" + stream.value()).start(this::drain);
    }

    synchronized int size() {
        return queue.size();
    }

    /** Largest number of frames that waited at once. */
    synchronized int highWater() {
        return highWater;
    }

    @Override
    public void publish(Frame frame) {
        synchronized (this) {
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped.increment();
            }
            queue.addLast(frame);
            highWater = Math.max(highWater, queue.size());
            notifyAll();
        }
    }

    @Override
    public void audio(AudioFrame audio) {
        downstream.audio(audio);
    }

    /** Sends what is queued first (up to 10 s), so the end marker comes after the last frame. */
    @Override
    public void end(EndOfStream end) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (this) {
            while ((!queue.isEmpty() || sending) && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        downstream.end(end);
    }

    private void drain() {
        boolean down = false;
        while (!closed) {
            Frame next;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = queue.pollFirst();
                sending = true;
            }
            try {
                downstream.publish(next);
                if (down) {
                    down = false;
                    log.info("stream {}: Kafka takes frames again", stream);
                }
            } catch (RetriableException e) {
                if (!down) {
                    down = true;
                    log.warn("stream {}: Kafka is not taking frames ({}); keeping the newest {} frames and retrying", stream, e.getMessage(), capacity);
                }
                synchronized (this) {
                    if (queue.size() < capacity) {
                        queue.addFirst(next);
                    } else {
                        dropped.increment();
                    }
                }
                sleep();
            } catch (RuntimeException e) {
                log.error("stream {}: frame {} could not be handed to Kafka: {}", stream, next.seq(), e.toString());
                dropped.increment();
            } finally {
                synchronized (this) {
                    sending = false;
                    notifyAll();
                }
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        sender.interrupt();
    }
}
