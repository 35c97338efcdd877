package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.SourceKind;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.StreamState;
import dev.streamsr.frame.Fps;
import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.WallClock;
import dev.streamsr.media.GstRuntime;
import dev.streamsr.media.PipelineTemplate;
import dev.streamsr.media.RawFrames;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Fraction;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.URIDecodeBin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Ingests one stream: runs its GStreamer pipeline, turns every decoded frame into a {@link Frame}
 * with a gap-free seq, and hands it to the {@link FrameSink}. Live sources are reconnected with
 * back-off; a failure here never touches another stream.
 */
public final class StreamIngest implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamIngest.class);
    private static final long PULL_TIMEOUT_NS = 200_000_000L;

    private final Source source;
    private final IngestSettings settings;
    private final FrameSink sink;
    private final Backoff backoff;
    private final Counter framesIn;
    private final Counter droppedAtSource;
    private final Counter droppedOversize;
    private final Counter reconnects;
    private final Counter audioFrames;
    private volatile boolean audioReported;
    private final java.util.Set<String> audioSinksWithData = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile StreamState state = StreamState.STARTING;
    private volatile String lastError;
    private volatile boolean stopping;
    private long seq;
    private volatile long ptsOffset;
    /** Raw PTS where the current loop of a looped file started (its first buffer, video or audio); unset on the first play. */
    private final java.util.concurrent.atomic.AtomicLong loopBase = new java.util.concurrent.atomic.AtomicLong(NO_BASE);
    private volatile boolean looping;
    private static final long NO_BASE = Long.MIN_VALUE;
    private long lastPts = -1;
    private long frameDuration;
    private boolean oversizeReported;
    private volatile long lastFrameNanos = System.nanoTime();

    public StreamIngest(Source source, IngestSettings settings, FrameSink sink, MeterRegistry registry) {
        this.source = source;
        this.settings = settings;
        // A live source must not wait for the broker (the camera would not wait either): a bounded outbox sits between them.
        // A looped file plays at its own rate like the live stream it stands in for, and follows the same policy.
        this.sink = source.kind().live() || source.loop() ? new LiveOutbox(source.stream(), sink, settings.liveBufferFrames(), registry) : sink;
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        String id = source.stream().value();
        this.framesIn = Meters.ingestFrames(registry, id);
        this.droppedAtSource = dropped(registry, id, "source-overrun");
        this.droppedOversize = dropped(registry, id, "oversize");
        this.audioFrames = Meters.ingestAudioFrames(registry, id);
        this.reconnects = Meters.sourceReconnects(registry, id);
        for (StreamState s : StreamState.values()) {
            Meters.sourceState(registry, id, s.name().toLowerCase(java.util.Locale.ROOT), this, x -> x.state == s ? 1 : 0);
        }
        Meters.sourceLastFrameAge(registry, id, this, x -> (System.nanoTime() - x.lastFrameNanos) / 1e9);
    }

    private static Counter dropped(MeterRegistry registry, String stream, String reason) {
        return Meters.framesDropped(registry, stream, reason);
    }

    public Source source() {
        return source;
    }

    public StreamState state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public long framesPublished() {
        return seq;
    }

    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        MDC.put("stream", source.stream().value());
        try {
            GstRuntime.ensureInitialised();
            int failures = 0;
            while (!stopping) {
                long before = seq;
                Outcome outcome = playOnce();
                if (seq > before) {
                    failures = 0;
                }
                if (stopping || outcome == Outcome.STOPPED) {
                    break;
                }
                if (outcome == Outcome.NO_VIDEO && !source.kind().live()) {
                    // A file without video will not grow one: looping or retrying it would only hang.
                    fail(lastError);
                    return;
                }
                if (outcome == Outcome.ENDED && source.loop() && seq > before) {
                    log.info("stream {}: source ended after {} frames, looping", source.stream(), seq);
                    // The next loop starts right after the last frame, whatever PTS the file itself starts at
                    // (MPEG-TS files start at 0.125 s or later: without this every loop left a gap).
                    ptsOffset = lastPts + frameDuration;
                    loopBase.set(NO_BASE);
                    looping = true;
                    continue;
                }
                if (outcome == Outcome.ENDED && !source.kind().live()) {
                    if (seq == 0 && oversizeReported) {
                        fail("every frame exceeded the largest allowed frame " + settings.limits().maxFrame()
                                + "; cap the source with --max-input-size or raise --max-frame-size");
                    } else if (seq == 0) {
                        fail("source has no video frames (is " + source.display() + " a video?)");
                    } else {
                        finish(StreamState.ENDED);
                    }
                    return;
                }
                if (!source.restartable()) {
                    fail(lastError);
                    return;
                }
                failures++;
                if (settings.maxRetries() >= 0 && failures > settings.maxRetries()) {
                    fail("giving up after " + settings.maxRetries() + " retries: " + lastError);
                    return;
                }
                state = StreamState.RECONNECTING;
                reconnects.increment();
                Duration wait = backoff.delay(failures, ThreadLocalRandom.current());
                log.warn("stream {}: source {} {}; reconnect attempt {} in {} ms", source.stream(), source.display(),
                        outcome == Outcome.ENDED ? "ended" : "failed: " + lastError, failures, wait.toMillis());
                sleep(wait);
            }
            if (seq > 0) {
                sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
            }
            state = StreamState.STOPPED;
        } catch (RuntimeException | Error e) {
            fail(e.toString());
            log.error("stream {}: ingest crashed: {}", source.stream(), Credentials.mask(e.toString()));
        } finally {
            if (sink instanceof LiveOutbox outbox) {
                outbox.close();
            }
            MDC.remove("stream");
        }
    }

    private void fail(String why) {
        lastError = Credentials.mask(why);
        state = StreamState.FAILED;
        log.error("stream {}: source {} failed: {}", source.stream(), source.display(), lastError);
        if (seq > 0) {
            // Downstream finalises what it has; the stream is over until an operator restarts it.
            sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
        }
    }

    private void finish(StreamState end) {
        sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
        state = end;
        log.info("stream {}: source ended, {} frames published", source.stream(), seq);
    }

    private enum Outcome { ENDED, FAILED, STOPPED, NO_VIDEO }

    private Outcome playOnce() {
        if (source.kind() == SourceKind.FILE) {
            Path file = Path.of(source.uri());
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                lastError = "file " + file + " does not exist or is not readable";
                return Outcome.FAILED;
            }
        }
        String description = SourcePipeline.describe(source, settings);
        log.debug("stream {}: pipeline {}", source.stream(), Credentials.mask(description));
        Pipeline pipeline;
        try {
            pipeline = PipelineTemplate.launch(description, "pipeline");
        } catch (IllegalStateException e) {
            lastError = Credentials.mask(e.getMessage());
            return Outcome.FAILED;
        }
        AtomicReference<String> busError = new AtomicReference<>();
        AtomicLong arrived = new AtomicLong();
        Bus bus = pipeline.getBus();
        // Bus listeners share one thread: record the error and let the pull loop stop the pipeline.
        Bus.ERROR onError = (src, code, message) -> busError.compareAndSet(null, message + " (from " + src.getName() + ")");
        bus.connect(onError);
        URIDecodeBin.SOURCE_SETUP lowLatency = (bin, src) -> {
            // rtspsrc's default 2 s jitter buffer would add 2 s to every frame of a camera on a LAN.
            if ("GstRTSPSrc".equals(src.getTypeName())) {
                src.set("latency", 200);
            }
        };
        if (pipeline.getElementByName("media") instanceof URIDecodeBin uridecodebin) {
            uridecodebin.connect(lowLatency);
        }
        // A source whose demuxer exposes streams but none of them video (an .m4a, an audio-only
        // feed) would otherwise sit in "starting" forever: the video appsink never sees data or EOS.
        AtomicLong pads = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean videoPad = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean allPads = new java.util.concurrent.atomic.AtomicBoolean();
        Element media = pipeline.getElementByName("media");
        Element.PAD_ADDED onPad = (element, pad) -> {
            pads.incrementAndGet();
            if (isVideo(pad)) {
                videoPad.set(true);
            }
        };
        Element.NO_MORE_PADS onAllPads = element -> allPads.set(true);
        if (media != null) {
            media.connect(onPad);
            media.connect(onAllPads);
        }
        AppSink appsink = (AppSink) pipeline.getElementByName("frames");
        Pad sinkPad = appsink.getStaticPad("sink");
        Pad.PROBE counter = (pad, info) -> {
            arrived.incrementAndGet();
            return PadProbeReturn.OK;
        };
        if (source.kind().live()) {
            sinkPad.addProbe(PadProbeType.BUFFER, counter);
        }
        AppSink.NEW_SAMPLE onAudio = this::audio;
        List<AppSink> audioSinks = new ArrayList<>();
        for (String name : new String[] {"audio", "audio-encoded"}) {
            if (pipeline.getElementByName(name) instanceof AppSink a) {
                a.connect(onAudio);
                audioSinks.add(a);
            }
        }
        long pulled = 0;
        long countedDrops = 0;
        long lastFrameAt = System.nanoTime();
        try {
            pipeline.play();
            while (!stopping) {
                String err = busError.get();
                boolean noVideo = pads.get() > 0 && !videoPad.get();
                if (noVideo && (allPads.get() || err != null)) {
                    lastError = "no video stream in " + source.display() + (err == null ? "" : " (" + Credentials.mask(err) + ")");
                    return Outcome.NO_VIDEO;
                }
                if (err != null) {
                    lastError = Credentials.mask(err);
                    return Outcome.FAILED;
                }
                Sample sample = appsink.emit(Sample.class, "try-pull-sample", PULL_TIMEOUT_NS);
                if (sample == null) {
                    if (appsink.isEOS()) {
                        awaitAudioEnd(audioSinks);
                        return busError.get() == null ? Outcome.ENDED : Outcome.FAILED;
                    }
                    if (source.kind().live() && System.nanoTime() - lastFrameAt > settings.stallTimeout().toNanos()) {
                        lastError = "no frames for " + settings.stallTimeout().toSeconds() + " s";
                        return Outcome.FAILED;
                    }
                    continue;
                }
                lastFrameAt = System.nanoTime();
                state = StreamState.PLAYING;
                pulled++;
                handle(sample);
                if (source.kind().live()) {
                    long drops = arrived.get() - pulled - 1;
                    if (drops > countedDrops) {
                        droppedAtSource.increment(drops - countedDrops);
                        countedDrops = drops;
                    }
                }
            }
            return Outcome.STOPPED;
        } finally {
            pipeline.stop();
            if (source.kind().live()) {
                sinkPad.removeProbe(counter);
            }
            bus.disconnect(onError);
            if (media != null) {
                media.disconnect(onPad);
                media.disconnect(onAllPads);
            }
            audioSinks.forEach(a -> a.disconnect(onAudio));
            pipeline.dispose();
        }
    }

    private static boolean isVideo(Pad pad) {
        Caps caps = pad.getCurrentCaps();
        if (caps == null || caps.size() == 0) {
            caps = pad.queryCaps(null);
        }
        return caps != null && caps.size() > 0 && caps.getStructure(0).getName().startsWith("video/");
    }

    /** A buffer's PTS on the stream's timeline: as the source says, or continued across loops of a file. */
    private long timeline(long rawPts) {
        if (!looping) {
            return rawPts + ptsOffset;
        }
        loopBase.compareAndSet(NO_BASE, rawPts);
        return rawPts - loopBase.get() + ptsOffset;
    }

    /** The video ended: give audio that is still in flight (the tail of a file) up to 2 s to arrive. */
    private void awaitAudioEnd(List<AppSink> audioSinks) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (AppSink a : audioSinks) {
            // A branch that never got audio was never linked and never ends.
            while (audioSinksWithData.contains(a.getName()) && !a.isEOS() && System.nanoTime() < deadline && !stopping) {
                sleep(Duration.ofMillis(20));
            }
        }
    }

    /** On an audio streaming thread: one AAC frame (ADTS) to the sink, on the video's timeline. */
    private FlowReturn audio(AppSink appsink) {
        Sample sample = appsink.pullSample();
        if (sample == null) {
            return FlowReturn.OK;
        }
        try {
            Buffer buffer = sample.getBuffer();
            long pts = buffer.getPresentationTimestamp();
            if (pts < 0 || stopping) {
                return FlowReturn.OK;
            }
            long duration = buffer.getDuration() > 0 ? buffer.getDuration() : 1024L * 1_000_000_000L / 48_000;
            ByteBuffer mapped = buffer.map(false);
            byte[] adts = new byte[mapped.remaining()];
            try {
                mapped.get(adts);
            } finally {
                buffer.unmap();
            }
            audioSinksWithData.add(appsink.getName());
            if (!audioReported) {
                audioReported = true;
                log.info("stream {}: forwarding audio ({})", source.stream(), sample.getCaps());
            }
            sink.audio(new AudioFrame(source.stream(), timeline(pts), duration, WallClock.nowNanos(), adts));
            audioFrames.increment();
        } finally {
            sample.dispose();
        }
        return FlowReturn.OK;
    }

    private void handle(Sample sample) {
        int width;
        int height;
        Fps fps;
        long pts;
        byte[] payload;
        try {
            Caps caps = sample.getCaps();
            Structure s = caps.getStructure(0);
            width = s.getInteger("width");
            height = s.getInteger("height");
            Fraction rate = s.hasField("framerate") ? s.getFraction("framerate") : null;
            fps = rate == null || rate.getNumerator() <= 0 || rate.getDenominator() <= 0 ? Fps.UNKNOWN
                    : new Fps(rate.getNumerator(), rate.getDenominator());
            if (rate != null && rate.getNumerator() > 0) {
                frameDuration = 1_000_000_000L * rate.getDenominator() / rate.getNumerator();
            }
            if (!settings.limits().allows(width, height)) {
                droppedOversize.increment();
                if (!oversizeReported) {
                    oversizeReported = true;
                    log.error("stream {}: frame {}x{} exceeds the largest allowed frame {} (--max-frame-size); frames refused "
                            + "until the source shrinks; cap it with --max-input-size", source.stream(), width, height,
                            settings.limits().maxFrame());
                }
                return;
            }
            Buffer buffer = sample.getBuffer();
            long rawPts = buffer.getPresentationTimestamp();
            ByteBuffer mapped = buffer.map(false);
            try {
                payload = RawFrames.copyTight(mapped, settings.format(), width, height);
            } finally {
                buffer.unmap();
            }
            pts = rawPts < 0 ? (lastPts < 0 ? 0 : lastPts + frameDuration) : timeline(rawPts);
        } finally {
            sample.dispose();
        }
        if (pts <= lastPts) {
            // Live sources may repeat a timestamp after a hiccup: keep PTS strictly increasing.
            pts = lastPts + Math.max(1, frameDuration);
        }
        lastPts = pts;
        Frame frame = new Frame(source.stream(), seq, pts, width, height, settings.format(), false,
                WallClock.nowNanos(), fps, payload, source.realTime());
        sink.publish(frame);
        seq++;
        framesIn.increment();
        lastFrameNanos = System.nanoTime();
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

}
