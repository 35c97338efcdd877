package dev.streamsr.upscale;

import dev.streamsr.engine.BatchedEngine;
import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.EngineException;
import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.WallClock;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.media.H264Encoder;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read an LR frame, look up the stream's history, run the engine on the pair, encode the SR frame
 * and forward its access unit. Records that break the contract go to the dead-letter sink.
 */
final class UpscaleProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(UpscaleProcessor.class);

    private final EngineSupplier engines;
    private final FrameLimits limits;
    private final java.util.function.Supplier<EngineShare> shares;
    private final Map<String, Counter> skippedLate = new HashMap<>();
    private final Map<String, Counter> skippedFair = new HashMap<>();
    private final EncoderSettings encoderSettings;
    private final String sourceTopic;
    private final MeterRegistry registry;
    private final Map<StreamId, H264Encoder> encoders = new HashMap<>();
    /** Each stream's previous frame and latent, for as long as this task is ours. */
    private final Map<String, Slot> histories = new HashMap<>();
    private final boolean changelogState;
    private final Map<Integer, byte[]> zeroLatents = new HashMap<>();
    // Meters are looked up once, not on every frame.
    private final Map<String, Counter> framesOut = new HashMap<>();
    private final Timer processTimer;
    /** Whether a WebRTC viewer asked for a key frame of the stream; takes the request. */
    private final java.util.function.Predicate<StreamId> keyframeRequested;
    private final Map<Engine, Timer> engineTimers = new HashMap<>();
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> latentCache;

    UpscaleProcessor(EngineSupplier engines, java.util.function.Supplier<EngineShare> shares, EncoderSettings encoderSettings,
                     String sourceTopic, FrameLimits limits, MeterRegistry registry, boolean changelogState,
                     java.util.function.Predicate<StreamId> keyframeRequested) {
        this.keyframeRequested = keyframeRequested;
        this.changelogState = changelogState;
        this.limits = limits;
        this.shares = shares;
        this.engines = engines;
        this.encoderSettings = encoderSettings;
        this.sourceTopic = sourceTopic;
        this.registry = registry;
        this.processTimer = Meters.upscaleProcess(registry);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        histories.clear();
        this.latentCache = context.getStateStore(UpscaleTopology.LATENT_CACHE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Decoded decoded = FrameHeaders.decode(record.key(), record.headers(), record.value());
        switch (decoded) {
            case Decoded.Invalid bad -> deadLetter(record, bad.stream(), bad.violation());
            case Decoded.EndRecord end -> finish(record, end.end());
            case Decoded.FrameRecord f -> upscale(record, f.frame());
            case Decoded.AudioRecord a -> deadLetter(record, a.audio().stream(), new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT,
                    "audio belongs on the audio topic, not on the LR frame topic"));
        }
    }

    private void upscale(Record<byte[], byte[]> record, Frame frame) {
        long start = System.nanoTime();
        if (frame.format() != FrameFormat.RGB) {
            deadLetter(record, frame.stream(), new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT,
                    "upscale takes RGB frames on " + sourceTopic + ", got " + frame.format() + " (run ingest with --format=RGB)"));
            return;
        }
        var refused = limits.check(frame);
        if (refused.isPresent()) {
            deadLetter(record, frame.stream(), refused.get());
            return;
        }
        // An overloaded upscaler stays live by skipping what is already too old to matter, and fair by
        // taking the streams that are behind in turn; a stream's history keeps the last frame it did upscale.
        switch (shares.get().decide(frame.stream(), frame.live(), WallClock.nowNanos() - frame.ingestNanos(), System.nanoTime())) {
            case SKIP_MAX_LAG -> {
                skippedLate.computeIfAbsent(frame.stream().value(), id -> Meters.framesDropped(registry, id, "max-lag")).increment();
                return;
            }
            case SKIP_FAIR_SHARE -> {
                skippedFair.computeIfAbsent(frame.stream().value(), id -> Meters.framesDropped(registry, id, "fair-share")).increment();
                return;
            }
            case UPSCALE -> {
            }
        }
        Engine engine = engines.forCurrentThread(frame.tuning());
        int w = frame.width();
        int h = frame.height();
        EngineBuffers b;
        try {
            b = engine.buffers(1, h, w);
        } catch (IllegalArgumentException e) {
            deadLetter(record, frame.stream(), new ContractViolation(ContractViolation.WRONG_PAYLOAD_SIZE, e.getMessage()));
            return;
        }
        String key = frame.stream().value();
        Slot slot = histories.computeIfAbsent(key, k -> new Slot());
        History history = slot.history;
        if (history == null && changelogState) {
            history = History.fromBytes(latentCache.get(key)); // taken over from another instance
        }
        // A latent means something only to the model that made it: a stream whose model changed starts its
        // history again, here or on an instance that took it over (restored on another model or version).
        String model = engine.model().id();
        boolean otherModel = (slot.engine != null && slot.engine != engine) || (history != null && !history.model().equals(model));
        boolean fresh = history == null || otherModel || history.width() != w || history.height() != h
                || history.latent().length != b.latentBytes() || history.seq() >= frame.seq();
        if (otherModel) {
            log.info("stream {}: model {} from seq {} (was {})", frame.stream(), model, frame.seq(),
                    slot.engine != null ? slot.engine.model().id() : history.model());
        }
        slot.engine = engine;
        if (fresh && history != null) {
            log.info("stream {}: history reset at seq {} (previous {}x{} seq {})", frame.stream(), frame.seq(),
                    history.width(), history.height(), history.seq());
            historyResets(key).increment();
        } else if (history == null) {
            // Registered at zero with the stream's first frame, so "increase" works from the start.
            historyResets(key);
        }
        // Another stream's latent may still be in these buffers (it was never copied out): it is saved first.
        boolean resident = b.hold(slot, () -> slot.saveLatent(b));
        slot.buffers = b;
        b.lr().put(0, frame.payload());
        b.prevLr().put(0, fresh ? frame.payload() : history.prevLr());
        if (fresh) {
            b.prevLatent().put(0, zeroLatent(b.latentBytes()));
        } else if (resident) {
            b.swapLatents(); // the latent this stream's last frame produced is still here: no copy out and back
        } else {
            b.prevLatent().put(0, history.latent());
        }

        long t0 = System.nanoTime();
        try {
            engine.run(b);
        } catch (EngineException e) {
            // What the buffers hold now is not a latent to go on from: the stream starts its history again.
            slot.history = null;
            b.release();
            deadLetter(record, frame.stream(), new ContractViolation(ContractViolation.PROCESSING_FAILED, e.getMessage()));
            return;
        }
        if (!(engine instanceof BatchedEngine)) {
            // Batched calls are timed once per batch, with their batch size, by the batcher.
            engineTimer(engine).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        // The stream's history lives here between frames, without serialisation: the payload becomes
        // the previous frame as it is, and the latent stays in the engine's buffers until another
        // stream needs them (Slot.saveLatent). Only the changelog, which failover needs, gets a
        // serialised copy of every frame's.
        byte[] latent = history != null && history.latent().length == b.latentBytes() ? history.latent() : new byte[b.latentBytes()];
        History next = new History(w, h, frame.seq(), model, frame.payload(), latent);
        slot.history = next;
        if (changelogState) {
            b.latent().get(0, latent);
            latentCache.put(key, next.toBytes());
        }

        int s = engine.model().scale();
        H264Encoder encoder = encoderFor(frame, w * s, h * s);
        if (keyframeRequested.test(frame.stream())) {
            encoder.forceKeyframe();
        }
        AccessUnit au = encoder.encode(b.sr().duplicate().position(0).limit(b.srBytes()), frame.ptsNanos());
        Frame out = frame.withPayload(FrameFormat.H264, w * s, h * s, au.keyframe(), au.data());
        context.forward(record.withValue(au.data()).withHeaders(FrameHeaders.of(out)), UpscaleTopology.SR_SINK);
        framesOut.computeIfAbsent(key, this::framesOutCounter).increment();
        processTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private H264Encoder encoderFor(Frame frame, int srWidth, int srHeight) {
        H264Encoder encoder = encoders.get(frame.stream());
        if (encoder != null && (encoder.width() != srWidth || encoder.height() != srHeight)) {
            encoder.close();
            encoder = null;
        }
        if (encoder == null) {
            encoder = new H264Encoder(FrameFormat.RGB, srWidth, srHeight, frame.fps(), encoderSettings);
            encoders.put(frame.stream(), encoder);
        }
        return encoder;
    }

    /** A stream's history in this task, and the token by which it holds an engine's buffers between its frames. */
    private static final class Slot {
        History history;
        /** The engine that made {@link #history}'s latent, and the buffers it is in until copied out. */
        Engine engine;
        EngineBuffers buffers;

        /**
         * The buffers go to another stream or are freed: the latent this stream left in them is copied
         * out, unless the stream has moved on to other buffers (another model's) since.
         */
        void saveLatent(EngineBuffers b) {
            if (b == buffers && history != null && history.latent().length == b.latentBytes()) {
                b.latent().get(0, history.latent());
            }
        }
    }

    private void finish(Record<byte[], byte[]> record, EndOfStream end) {
        H264Encoder encoder = encoders.remove(end.stream());
        if (encoder != null) {
            encoder.close();
        }
        histories.remove(end.stream().value());
        if (changelogState) {
            latentCache.delete(end.stream().value());
        }
        shares.get().forget(end.stream());
        context.forward(record, UpscaleTopology.SR_SINK);
        log.info("stream {}: end of stream after {} frames", end.stream(), end.frames());
    }

    private void deadLetter(Record<byte[], byte[]> record, StreamId stream, ContractViolation why) {
        log.warn("stream {}: record on {} sent to the dead-letter topic: {}", stream == null ? "<invalid key>" : stream, sourceTopic, why);
        context.forward(record.withHeaders(DeadLetters.annotate(record.headers(), sourceTopic, why)), UpscaleTopology.DLQ_SINK);
        DeadLetters.count(registry, why.reason());
    }

    private byte[] zeroLatent(int bytes) {
        return zeroLatents.computeIfAbsent(bytes, byte[]::new);
    }

    private Timer engineTimer(Engine engine) {
        return engineTimers.computeIfAbsent(engine, e -> Meters.engineLatency(registry, e.backend(), e.model().name(), 1));
    }

    private Counter historyResets(String stream) {
        return Meters.historyResets(registry, stream);
    }

    private Counter framesOutCounter(String stream) {
        return Meters.upscaleFrames(registry, stream);
    }

    @Override
    public void close() {
        encoders.values().forEach(H264Encoder::close);
        encoders.clear();
    }
}
