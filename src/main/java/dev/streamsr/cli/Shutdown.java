package dev.streamsr.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Blocks a long-running command until Ctrl-C (SIGINT/SIGTERM), then keeps the JVM alive while the
 * command closes its resources in order: segments and playlists finished, the embedded broker's
 * temporary data removed. The JVM exits as soon as its shutdown hooks return, so the hook waits
 * for {@link #close}, at most {@link #GRACE}. Open it before the resources it guards, so
 * try-with-resources closes it last.
 */
final class Shutdown implements AutoCloseable {
    static final Duration GRACE = Duration.ofSeconds(45);
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    Shutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            requested.countDown();
            try {
                if (!closed.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.err.println("streamsr: still closing after " + GRACE.toSeconds() + " s; exiting anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
    }

    void await() throws InterruptedException {
        requested.await();
    }

    void trigger() {
        requested.countDown();
    }

    /** Everything is closed: the shutdown hook may let the JVM exit. */
    @Override
    public void close() {
        closed.countDown();
    }
}
