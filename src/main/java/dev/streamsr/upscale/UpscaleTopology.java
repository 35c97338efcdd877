package dev.streamsr.upscale;

import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** The upscale data flow in one place: read lr, look up history, run engine, encode, write sr. */
public final class UpscaleTopology {
    public static final String LATENT_CACHE = "latent-cache";
    static final String SR_SINK = "sr";
    static final String DLQ_SINK = "dlq";

    private UpscaleTopology() {
    }

    /**
     * {@code maxLag} above zero keeps live streams live: their frames that waited longer than that
     * since ingest are skipped (reason max-lag), and frames behind are shared fairly between the
     * streams (reason fair-share; see {@link EngineShare}). Files' frames are never skipped.
     */
    public static Topology build(Topics topics, FrameLimits limits, boolean changelogState, EngineSupplier engines,
                                 EncoderSettings encoder, MeterRegistry registry, java.time.Duration maxLag,
                                 java.util.function.Predicate<dev.streamsr.frame.StreamId> keyframeRequested) {
        StoreBuilder<KeyValueStore<String, byte[]>> cache = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(LATENT_CACHE), Serdes.String(), Serdes.ByteArray());
        cache = changelogState
                ? cache.withLoggingEnabled(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(limits.maxRecordBytes()),
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(Math.max(64 << 20, 4 * limits.maxRecordBytes()))))
                : cache.withLoggingDisabled();
        cache = cache.withCachingDisabled();

        // One share per stream thread, as each thread has its own engine (EngineSupplier).
        Map<Thread, EngineShare> shares = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Supplier<EngineShare> share = () -> shares.computeIfAbsent(Thread.currentThread(), th -> new EngineShare(maxLag));
        Topology t = new Topology();
        t.addSource("lr", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.lr());
        t.addProcessor("upscale", () -> new UpscaleProcessor(engines, share, encoder, topics.lr(), limits, registry, changelogState, keyframeRequested), "lr");
        t.addStateStore(cache, "upscale");
        t.addSink(SR_SINK, topics.sr(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "upscale");
        t.addSink(DLQ_SINK, topics.dlq(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "upscale");
        return t;
    }
}
