package dev.streamsr.webrtc;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.media.FrameEncoder;
import dev.streamsr.packager.Rendition;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.webrtc.WebRTCPeerConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's WebRTC viewers in this process, both renditions. The upscaled access units go out
 * as they are; the source frames are encoded here once for all source viewers (their H.264 exists
 * nowhere else: the packager makes its own for HLS). Everything is sent on the stream's
 * {@link Playout} clock from one thread, which also owns the source encoder.
 */
final class StreamFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamFeed.class);
    /** A viewer whose browser has not connected by then never will. */
    private static final long CONNECT_TIMEOUT_MS = 20_000;
    /** A browser sends RTCP several times a second: this long without a packet, it is gone. */
    private static final long SILENCE_MS = 10_000;
    /** A viewer still without a key frame after this asks again: the first request can miss an upscaler that was rebalancing. */
    private static final long KEYFRAME_RETRY_MS = 1_500;

    private final StreamId stream;
    private final Consumer<StreamId> requestUpscaledKeyframe;
    private final Map<String, Viewer> upscaled = new ConcurrentHashMap<>();
    private final Map<String, Viewer> source = new ConcurrentHashMap<>();
    private final Map<String, Long> keyframeAsked = new ConcurrentHashMap<>();
    private final java.util.Set<String> startReported = ConcurrentHashMap.newKeySet();
    private final Playout playout = new Playout();
    private final ScheduledExecutorService clock;
    /** The source viewers' encode; used on the clock thread only. */
    private final FrameEncoder encoder;
    private OpusTranscoder opus;

    StreamFeed(StreamId stream, EncoderSettings sourceEncoder, Consumer<StreamId> requestUpscaledKeyframe) {
        this.stream = stream;
        this.encoder = new FrameEncoder(sourceEncoder);
        this.requestUpscaledKeyframe = requestUpscaledKeyframe;
        this.clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("webrtc-" + stream.value()).factory());
    }

    StreamId stream() {
        return stream;
    }

    /** Adds a viewer that has answered; from now on it gets frames, starting at the next key frame, which is asked for. */
    void add(Rendition rendition, Viewer viewer) {
        viewers(rendition).put(viewer.id(), viewer);
        viewer.onKeyframeWanted(() -> {
            log.debug("stream {}: WebRTC viewer {} asks for a key frame", stream, viewer.id());
            askKeyframe(rendition, viewer);
        });
        askKeyframe(rendition, viewer);
    }

    Viewer remove(String id) {
        Viewer v = upscaled.remove(id);
        if (v == null) {
            v = source.remove(id);
        }
        keyframeAsked.remove(id);
        startReported.remove(id);
        return v;
    }

    boolean idle() {
        return upscaled.isEmpty() && source.isEmpty();
    }

    int viewers(boolean ofUpscaled) {
        return ofUpscaled ? upscaled.size() : source.size();
    }

    long delayMs() {
        return playout.delayMs();
    }

    /** An access unit from {@code streamsr.sr}: it sets the playout delay, and goes to the upscaled viewers on time. */
    void upscaled(Frame frame, long nowMs) {
        long ingestMs = frame.ingestNanos() / 1_000_000;
        playout.arrived(nowMs - ingestMs);
        if (!upscaled.isEmpty()) {
            at(playout.sendAt(ingestMs), nowMs, () -> send(upscaled.values(), frame.payload(), frame.keyframe()));
        }
    }

    /** A raw frame from {@code streamsr.lr}: encoded for the source viewers when its time comes. */
    void source(Frame frame, long nowMs) {
        if (!source.isEmpty()) {
            at(playout.sendAt(frame.ingestNanos() / 1_000_000), nowMs, () -> encodeAndSend(frame));
        }
    }

    /** An AAC frame from {@code streamsr.audio}: the upscaled viewers hear it in step with the picture. */
    void audio(AudioFrame audio, long nowMs) {
        if (!upscaled.isEmpty()) {
            at(playout.sendAt(audio.ingestNanos() / 1_000_000), nowMs, () -> {
                if (opus == null) {
                    opus = new OpusTranscoder(packet -> upscaled.values().forEach(v -> v.audio(packet)));
                }
                opus.push(audio.payload());
            });
        }
    }

    /**
     * Ends viewers whose browser went away or never came, asks again for key frames not yet seen,
     * and reports once per viewer how long it waited from its offer to its first key frame.
     */
    void sweep(long nowMs, Consumer<Viewer> ended, java.util.function.LongConsumer started) {
        for (Rendition r : Rendition.values()) {
            for (Viewer v : viewers(r).values()) {
                WebRTCPeerConnectionState state = v.state();
                String why = v.error() != null ? v.error()
                        : state == WebRTCPeerConnectionState.FAILED || state == WebRTCPeerConnectionState.CLOSED ? state.name().toLowerCase()
                        : !v.heardFrom() && v.ageMs(nowMs) > CONNECT_TIMEOUT_MS ? "the browser never connected"
                        : v.heardFrom() && v.silentMs(nowMs) > SILENCE_MS ? "the browser went silent" : null;
                if (why != null) {
                    log.info("stream {}: WebRTC viewer {} ({}) ended: {}", stream, v.id(), r.dirName(), why);
                    remove(v.id());
                    ended.accept(v);
                } else if (v.startMs() >= 0 && startReported.add(v.id())) {
                    started.accept(v.startMs());
                } else if (v.waitingForKeyframe() && nowMs - keyframeAsked.getOrDefault(v.id(), 0L) > KEYFRAME_RETRY_MS) {
                    askKeyframe(r, v);
                }
            }
        }
    }

    private void askKeyframe(Rendition rendition, Viewer viewer) {
        keyframeAsked.put(viewer.id(), System.currentTimeMillis());
        if (rendition == Rendition.SR) {
            requestUpscaledKeyframe.accept(stream);
        } else {
            at(0, 0, encoder::forceKeyframe); // on the clock thread, which owns the encoder
        }
    }

    private Map<String, Viewer> viewers(Rendition rendition) {
        return rendition == Rendition.SR ? upscaled : source;
    }

    private void at(long sendAtMs, long nowMs, Runnable task) {
        long delay = Math.max(0, sendAtMs - nowMs);
        try {
            clock.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("stream {}: WebRTC send failed: {}", stream, e.toString());
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void send(Collection<Viewer> to, byte[] accessUnit, boolean keyframe) {
        for (Viewer v : to) {
            v.video(accessUnit, keyframe);
        }
    }

    private void encodeAndSend(Frame frame) {
        if (!source.isEmpty() && frame.format().isRaw()) {
            AccessUnit au = encoder.encode(frame);
            send(source.values(), au.data(), au.keyframe());
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        try {
            clock.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        upscaled.values().forEach(Viewer::close);
        source.values().forEach(Viewer::close);
        upscaled.clear();
        source.clear();
        encoder.close();
        if (opus != null) {
            opus.close();
        }
    }
}
