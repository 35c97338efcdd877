package dev.streamsr.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An engine's buffer sets by shape (batch, height, width), the least recently used closed once
 * more than {@code capacity} are held. Without the bound a stream whose size keeps changing
 * allocated frame-sized native memory for every size it ever had.
 */
final class ShapeCache<B extends EngineBuffers> implements AutoCloseable {
    /** Room for a few sizes at a few batch sizes; a wall of cameras has a handful of distinct sizes. */
    static final int DEFAULT_CAPACITY = 8;

    private final int capacity;
    private final LinkedHashMap<Long, B> byShape = new LinkedHashMap<>(16, 0.75f, true);

    ShapeCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /** The set for this shape, made by {@code create} when absent; may close the least recently used one. */
    B get(int batch, int height, int width, Supplier<B> create) {
        long key = ((long) batch << 40) | ((long) height << 20) | width;
        B b = byShape.get(key);
        if (b != null) {
            return b;
        }
        // Free before allocating: at the bound the new set takes the place of the oldest, not its company.
        while (byShape.size() >= capacity) {
            Iterator<Map.Entry<Long, B>> eldest = byShape.entrySet().iterator();
            B evicted = eldest.next().getValue();
            eldest.remove();
            evicted.release();
            evicted.close();
        }
        b = create.get();
        byShape.put(key, b);
        return b;
    }

    int size() {
        return byShape.size();
    }

    @Override
    public void close() {
        byShape.values().forEach(b -> {
            b.release();
            b.close();
        });
        byShape.clear();
    }
}
