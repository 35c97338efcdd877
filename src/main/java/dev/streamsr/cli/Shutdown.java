package dev.streamsr.cli;

import java.util.concurrent.CountDownLatch;

/** Blocks a long-running command until Ctrl-C (SIGINT/SIGTERM), then lets it close its resources in order. */
final class Shutdown {
    private final CountDownLatch latch = new CountDownLatch(1);
    private final Thread hook;

    Shutdown() {
        hook = new Thread(latch::countDown, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    void await() throws InterruptedException {
        latch.await();
    }

    void trigger() {
        latch.countDown();
    }
}
