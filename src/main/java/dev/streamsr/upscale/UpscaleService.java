package dev.streamsr.upscale;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.FrameBatcher;
import dev.streamsr.frame.Tuning;
import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.metrics.ConsumerLag;
import dev.streamsr.metrics.Health;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upscale role: a Kafka Streams application running {@link UpscaleTopology}. One engine per
 * stream thread; parallelism is bounded by the partitions of {@code streamsr.lr}.
 */
public final class UpscaleService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpscaleService.class);

    private final KafkaStreams streams;
    /** Each stream thread's engines, by the tuning they serve (DEFAULT for the default model). */
    private final Map<Thread, Map<String, Engine>> engines = new ConcurrentHashMap<>();
    private static final String DEFAULT = "default";
    private final Path stateDir;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ConsumerLag lag;
    /** With batching: one batcher per model, shared by every stream thread, opened when a frame first needs it. */
    private final Map<String, FrameBatcher> batchers = new ConcurrentHashMap<>();
    private final KeyframeRequests keyframes;
    /** Why the engine could not be opened; a thread that replaced the failed one would fail the same way. */
    private volatile String engineFailure;

    public UpscaleService(KafkaSettings kafka, Topics topics, UpscaleSettings settings, Supplier<Engine> engineFactory,
                          MeterRegistry registry, StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onCrash) {
        this(kafka, topics, settings, EngineFactories.of(engineFactory), registry, onCrash);
    }

    public UpscaleService(KafkaSettings kafka, Topics topics, UpscaleSettings settings, EngineFactories factories,
                          MeterRegistry registry, StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onCrash) {
        try {
            stateDir = Files.createTempDirectory("streamsr-upscale-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (settings.batching()) {
            log.info("upscale: frames of up to {} streams per engine call, {} ms window", settings.maxBatch(), settings.batchWindow().toMillis());
        }
        java.util.Set<Tuning> missing = ConcurrentHashMap.newKeySet();
        EngineSupplier supplier = tuning -> {
            Tuning served = factories.served(tuning);
            if (tuning != null && served == null && missing.add(tuning)) {
                log.warn("upscale: streams ask for model {}, which is not installed here (models/streamsr-recurrent-x4-{}-int8.onnx); "
                        + "they get the default model", tuning.id(), tuning.id());
            }
            String key = served == null ? DEFAULT : served.id();
            return engines.computeIfAbsent(Thread.currentThread(), t -> new ConcurrentHashMap<>()).computeIfAbsent(key, k -> open(
                    settings.batching() ? () -> batcher(key, factories.factory(served), settings, registry).forThread() : factories.factory(served)));
        };
        var topology = UpscaleTopology.build(topics, kafka.limits(), settings.changelogState(), supplier,
                settings.encoder(), registry, settings.maxLag(), (keyframes = new KeyframeRequests(kafka))::take);
        streams = new KafkaStreams(topology, properties(kafka, settings, stateDir));
        streams.setUncaughtExceptionHandler(e -> {
            if (engineFailure != null) {
                // Replacing the thread would load the same engine and fail again, every few seconds, forever.
                log.error("upscale: cannot open the engine ({}); stopping: health reports not live", engineFailure);
                log.debug("engine failure", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            log.error("upscale stream thread failed; response {}", onCrash, e);
            return onCrash;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        DeadLetters.registerReasons(registry);
        lag = new ConsumerLag(kafka.admin(), List.of(settings.applicationId()), Duration.ofSeconds(5), registry);
    }

    /** The batcher of one model, opened on first use; its batches are timed by batch size. */
    private FrameBatcher batcher(String key, Supplier<Engine> factory, UpscaleSettings settings, MeterRegistry registry) {
        return batchers.computeIfAbsent(key, k -> {
            io.micrometer.core.instrument.Timer[] timers = new io.micrometer.core.instrument.Timer[65];
            FrameBatcher[] self = new FrameBatcher[1];
            self[0] = new FrameBatcher(factory, settings.maxBatch(), settings.batchWindow(), (batch, nanos) -> {
                int i = Math.min(batch, timers.length - 1);
                if (timers[i] == null) {
                    Engine e = self[0].engine();
                    timers[i] = Meters.engineLatency(registry, e.backend(), e.model().name(), batch);
                }
                timers[i].record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            });
            return self[0];
        });
    }

    private Engine open(Supplier<Engine> factory) {
        try {
            return factory.get();
        } catch (RuntimeException e) {
            engineFailure = e.getMessage() == null ? e.toString() : e.getMessage();
            throw e;
        }
    }

    /**
     * The {@code upscale} part of health: the Kafka Streams client and the engine. Rebalancing is
     * normal work; an error state or an engine that cannot be opened is not live.
     */
    public Health.Probe health() {
        return () -> {
            KafkaStreams.State s = streams.state();
            Map<String, Object> detail = new java.util.LinkedHashMap<>();
            detail.put("streams", s.name());
            detail.put("threads", streams.metadataForLocalThreads().stream().map(t -> t.threadName() + " " + t.threadState()).sorted().toList());
            detail.put("engines", engines.values().stream().flatMap(m -> m.values().stream())
                    .map(e -> e.backend() + " " + e.model().name() + " v" + e.model().version()).distinct().sorted().toList());
            if (engineFailure != null) {
                detail.put("error", engineFailure);
                return Health.Check.dead("engine failed", detail);
            }
            return switch (s) {
                case RUNNING, REBALANCING -> Health.Check.up(s == KafkaStreams.State.RUNNING ? "running" : "rebalancing", detail);
                case CREATED -> Health.Check.notReady("starting", detail);
                default -> Health.Check.dead(s.name().toLowerCase().replace('_', ' '), detail);
            };
        };
    }

    /** Calls back once if the client stops on its own (an error, not a close). */
    public void onError(Runnable callback) {
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                callback.run();
            }
        });
    }

    static Properties properties(KafkaSettings kafka, UpscaleSettings settings, Path stateDir) {
        Properties p = new Properties();
        p.putAll(kafka.common());
        int maxBytes = kafka.limits().maxRecordBytes();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put("processing.exception.handler.global.enabled", true);
        // Frames are megabytes: the default 1000 buffered records per partition would exhaust the heap.
        p.put("buffered.records.per.partition", 16);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxBytes);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), Math.max(64L << 20, 4L * maxBytes));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "none");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), Math.max(52_428_800, maxBytes));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 16);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.RECEIVE_BUFFER_CONFIG), KafkaSettings.SOCKET_BUFFER_BYTES);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.SEND_BUFFER_CONFIG), KafkaSettings.SOCKET_BUFFER_BYTES);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A dead instance's streams move to a live one after this long; the 45 s default is too long for live video.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(maxBytes));
        return p;
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        keyframes.close();
        streamsMetrics.close();
        lag.close();
        engines.values().forEach(m -> m.values().forEach(Engine::close));
        engines.clear();
        batchers.values().forEach(FrameBatcher::close);
        batchers.clear();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.debug("could not delete {}", stateDir, e);
        }
    }
}
