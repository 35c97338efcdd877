package dev.streamsr.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.StreamId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class LiveOutboxTest {
    private static final StreamId CAM = StreamId.of("cam");

    private static Frame frame(long seq) {
        return new Frame(CAM, seq, seq * 40_000_000L, 2, 2, FrameFormat.RGB, false, 0, dev.streamsr.frame.Fps.parse("25/1"), new byte[12]);
    }

    /** A Kafka stand-in that blocks until released, then refuses once with a retriable error, then takes everything. */
    private static final class Broker implements FrameSink {
        final List<Long> published = new CopyOnWriteArrayList<>();
        final CountDownLatch up = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        volatile boolean refusedOnce;
        volatile long endedAfter = -1;

        @Override
        public void publish(Frame frame) {
            entered.countDown();
            try {
                up.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!refusedOnce) {
                refusedOnce = true;
                throw new TimeoutException("metadata not available");
            }
            published.add(frame.seq());
        }

        @Override
        public void end(EndOfStream end) {
            endedAfter = published.size();
        }
    }

    @Test
    void keepsTheNewestFramesInOrderDropsTheOldestAndEndsAfterTheLast() throws Exception {
        Broker broker = new Broker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LiveOutbox outbox = new LiveOutbox(CAM, broker, 5, registry)) {
            outbox.publish(frame(0));
            assertTrue(broker.entered.await(5, TimeUnit.SECONDS), "the sender took frame 0 and is blocked on the broker");
            for (long i = 1; i < 20; i++) {
                outbox.publish(frame(i));
            }
            // Frame 0 is in the sender's hands (blocked), 5 wait, the rest were dropped.
            assertTrue(outbox.highWater() <= 5);
            double dropped = registry.find("streamsr.frames.dropped").tag("reason", "broker-backlog").counter().count();
            assertEquals(14.0, dropped, "20 frames, one in flight, 5 kept: 14 dropped");
            broker.up.countDown();
            outbox.end(new EndOfStream(CAM, 20, 0));
            // Frame 0 was refused once (retriable) and goes back at the head only if there is room; here there is none.
            assertEquals(List.of(15L, 16L, 17L, 18L, 19L), broker.published, "the newest five, in order");
            assertEquals(5, broker.endedAfter, "the end marker follows the last frame");
            assertEquals(15.0, registry.find("streamsr.frames.dropped").tag("reason", "broker-backlog").counter().count());
        }
    }

    @Test
    void aRetriableRefusalIsRetriedWhenThereIsRoom() throws Exception {
        Broker broker = new Broker();
        broker.up.countDown();
        try (LiveOutbox outbox = new LiveOutbox(CAM, broker, 5, new SimpleMeterRegistry())) {
            outbox.publish(frame(0));
            outbox.publish(frame(1));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (broker.published.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of(0L, 1L), broker.published, "frame 0 was refused once, retried, and kept its place");
        }
    }
}
