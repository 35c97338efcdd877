package dev.streamsr.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Cross-stream batching: frames submitted by several threads (one per stream partition) within a
 * short window go into one engine call. Each frame brings its own previous frame and latent and
 * gets its own SR frame and latent back, so per-stream state and order are exactly those of
 * single-frame calls; callers block until their frame is done, which keeps each stream in order.
 *
 * <p>One dispatcher thread owns the engine (engines are not thread-safe). The window only applies
 * when more than one thread has submitted: a single stream thread never waits for company.
 */
public final class FrameBatcher implements AutoCloseable {
    /** Copies one frame's inputs into item {@code index} of the batch buffers. */
    @FunctionalInterface
    public interface Fill {
        void into(EngineBuffers buffers, int index);
    }

    /** Reads one frame's outputs from item {@code index} of the batch buffers. */
    @FunctionalInterface
    public interface Read {
        void from(EngineBuffers buffers, int index);
    }

    private record Job(int height, int width, Fill fill, Read read, CompletableFuture<Integer> done) {
    }

    private final Engine engine;
    private final int maxBatch;
    private final long windowNanos;
    private final BlockingQueue<Job> queue;
    private final Thread dispatcher;
    private final java.util.Set<Thread> submitters = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Job carried;

    /** Batch-size listener for metrics: called on the dispatcher thread after each engine call. */
    public interface Listener {
        void ran(int batch, long nanos);
    }

    private final Listener listener;

    public FrameBatcher(Supplier<Engine> engineFactory, int maxBatch, Duration window, Listener listener) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
        }
        this.maxBatch = maxBatch;
        this.windowNanos = window.toNanos();
        this.listener = listener;
        this.queue = new ArrayBlockingQueue<>(Math.max(64, maxBatch * 8));
        CompletableFuture<Engine> created = new CompletableFuture<>();
        this.dispatcher = Thread.ofPlatform().name("engine-batcher").daemon(true).start(() -> {
            Engine e;
            try {
                e = engineFactory.get();
                created.complete(e);
            } catch (RuntimeException ex) {
                created.completeExceptionally(ex);
                return;
            }
            dispatch(e);
        });
        try {
            this.engine = created.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while opening the engine", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new EngineException("engine failed to open", e.getCause());
        }
    }

    public Engine engine() {
        return engine;
    }

    /** An engine for the calling thread whose frames are batched with other threads'. */
    public BatchedEngine forThread() {
        return new BatchedEngine(this);
    }

    /**
     * Runs one frame, possibly batched with other threads' frames of the same size; returns the
     * size of the batch it ran in. {@code read} runs on the dispatcher thread before this returns.
     */
    public int run(int height, int width, Fill fill, Read read) {
        if (closed) {
            throw new EngineException("engine batcher is closed");
        }
        submitters.add(Thread.currentThread());
        Job job = new Job(height, width, fill, read, new CompletableFuture<>());
        try {
            queue.put(job);
            return job.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting for the engine", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new EngineException("engine call failed", e.getCause());
        }
    }

    private void dispatch(Engine e) {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                Job first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue;
                }
                batch.add(first);
                collect(first, batch);
                runBatch(e, batch);
            } catch (InterruptedException ie) {
                break;
            } catch (RuntimeException | Error ex) {
                batch.forEach(j -> j.done().completeExceptionally(ex));
            } finally {
                batch.clear();
            }
        }
        Job j;
        while ((j = queue.poll()) != null) {
            j.done().completeExceptionally(new EngineException("engine batcher closed"));
        }
        e.close();
    }

    /** Adds frames of the same size until the batch is full or the window has passed. */
    private void collect(Job first, List<Job> batch) throws InterruptedException {
        boolean wait = windowNanos > 0 && submitters.size() > 1;
        long deadline = System.nanoTime() + windowNanos;
        while (batch.size() < maxBatch) {
            Job next = wait ? queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                return;
            }
            if (next.height() != first.height() || next.width() != first.width()) {
                // A different size starts the next batch.
                carried = next;
                return;
            }
            batch.add(next);
        }
    }

    private void runBatch(Engine e, List<Job> batch) {
        Job first = batch.get(0);
        EngineBuffers b = e.buffers(batch.size(), first.height(), first.width());
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).fill().into(b, i);
        }
        long t0 = System.nanoTime();
        e.run(b);
        long nanos = System.nanoTime() - t0;
        for (int i = 0; i < batch.size(); i++) {
            Job j = batch.get(i);
            try {
                j.read().from(b, i);
                j.done().complete(batch.size());
            } catch (RuntimeException ex) {
                j.done().completeExceptionally(ex);
            }
        }
        if (listener != null) {
            listener.ran(batch.size(), nanos);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            dispatcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
