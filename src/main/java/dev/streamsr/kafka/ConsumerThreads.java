package dev.streamsr.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/** The end of a thread that owns a consumer and polls it until told to stop. */
public final class ConsumerThreads {
    private ConsumerThreads() {
    }

    /**
     * Wakes the consumer out of a blocking poll (the thread's loop has already been told to stop)
     * and waits for the thread, which closes the consumer itself: a consumer is not thread-safe.
     */
    public static void stop(Consumer<?, ?> consumer, Thread thread) {
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
