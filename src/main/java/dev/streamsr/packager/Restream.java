package dev.streamsr.packager;

import dev.streamsr.frame.StreamId;
import dev.streamsr.media.Backoff;
import dev.streamsr.media.PipelineTemplate;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.StreamSpec;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes one stream's upscaled rendition, with its audio, to a server operators already run: SRT
 * (MPEG-TS) or RTMP (FLV). The access units are the upscaler's, not encoded again. A target that
 * refuses or drops the connection is retried with back-off, from the next key frame; what arrives
 * meanwhile is counted as dropped, and the HLS output goes on regardless.
 */
final class Restream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Restream.class);

    private final StreamId stream;
    private final String uri;
    private final String template;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final Counter dropped;
    private Pipeline pipeline;
    private AppSrc video;
    private AppSrc audio;
    private Bus.ERROR onError;
    private final AtomicReference<String> error = new AtomicReference<>();
    private boolean withAudio;
    private long basePts = -1;
    private long lastPts = -1;
    private long lastAudioPts = Long.MIN_VALUE;
    private int failures;
    private long retryAtNanos;
    private boolean connectedOnce;

    Restream(StreamId stream, String uri, Counter dropped) {
        this.stream = stream;
        this.uri = uri;
        this.dropped = dropped;
        this.template = templateFor(uri);
    }

    String uri() {
        return uri;
    }

    /** The pipeline template for a target URI: {@code srt://}, {@code rtmp://} or {@code rtsp://}; anything else is refused with the reason. */
    static String templateFor(String uri) {
        return switch (StreamSpec.checkOutput(uri)) {
            case "srt" -> "restream-srt";
            case "rtmp", "rtmps" -> "restream-rtmp";
            default -> "restream-rtsp";
        };
    }

    /** A new timeline starts (the stream's size changed, or audio came): the next key frame opens a new connection. */
    void restart(boolean audio) {
        closePipeline();
        withAudio = audio;
    }

    void video(byte[] au, long ptsNanos, boolean keyframe) {
        if (!ready(keyframe)) {
            dropped.increment();
            return;
        }
        if (basePts < 0) {
            basePts = ptsNanos;
        }
        long pts = Math.max(lastPts + 1, ptsNanos - basePts);
        lastPts = pts;
        Buffer b = buffer(au, pts);
        if (!keyframe) {
            b.setFlags(EnumSet.of(BufferFlags.DELTA_UNIT));
        }
        push(video, b);
    }

    void audio(byte[] adts, long ptsNanos, long durationNanos) {
        if (pipeline == null || audio == null || basePts < 0 || ptsNanos < basePts) {
            return;
        }
        long pts = ptsNanos - basePts;
        if (pts <= lastAudioPts) {
            return;
        }
        lastAudioPts = pts;
        Buffer b = buffer(adts, pts);
        b.setDuration(durationNanos);
        push(audio, b);
    }

    /** Whether a frame can go out now: the pipeline runs, or it may be (re)opened on this key frame. */
    private boolean ready(boolean keyframe) {
        String e = error.get();
        if (e != null) {
            failures++;
            Duration wait = backoff.delay(failures, ThreadLocalRandom.current());
            log.warn("stream {}: output {} failed: {}; reconnect attempt {} in {} ms", stream, Credentials.mask(uri), Credentials.mask(e),
                    failures, wait.toMillis());
            closePipeline();
            retryAtNanos = System.nanoTime() + wait.toNanos();
        }
        if (pipeline != null) {
            return true;
        }
        if (!keyframe || System.nanoTime() < retryAtNanos) {
            return false;
        }
        open();
        return pipeline != null;
    }

    private void open() {
        String description = PipelineTemplate.load(template).fill(Map.of("uri", uri));
        if (withAudio) {
            description += " " + PipelineTemplate.load("restream-audio").fill(Map.of("audio-caps",
                    template.equals("restream-srt") ? "" : "audio/mpeg,stream-format=raw !"));
        }
        try {
            pipeline = PipelineTemplate.launch(description, "restream pipeline");
        } catch (IllegalStateException e) {
            error.set(e.getMessage());
            return;
        }
        video = (AppSrc) pipeline.getElementByName("video");
        audio = withAudio ? (AppSrc) pipeline.getElementByName("audio") : null;
        onError = (src, code, message) -> error.compareAndSet(null, message);
        pipeline.getBus().connect(onError);
        basePts = -1;
        lastPts = -1;
        lastAudioPts = Long.MIN_VALUE;
        pipeline.play();
        if (!connectedOnce || failures > 0) {
            log.info("stream {}: pushing the upscaled rendition{} to {}", stream, withAudio ? " with audio" : "", Credentials.mask(uri));
        }
        connectedOnce = true;
    }

    private void push(AppSrc src, Buffer b) {
        FlowReturn ret = src.pushBuffer(b);
        if (ret != FlowReturn.OK) {
            error.compareAndSet(null, "refused a buffer: " + ret);
        } else if (failures > 0 && src == video && lastPts > 2_000_000_000L) {
            failures = 0; // two seconds out since the reconnect: the next failure starts the back-off again
        }
    }

    private static Buffer buffer(byte[] data, long pts) {
        Buffer b = new Buffer(data.length);
        ByteBuffer bb = b.map(true);
        bb.put(data);
        b.unmap();
        b.setPresentationTimestamp(pts);
        b.setDecodeTimestamp(pts);
        return b;
    }

    private void closePipeline() {
        if (pipeline != null) {
            pipeline.getBus().disconnect(onError);
            pipeline.stop();
            pipeline.dispose();
            pipeline = null;
            video = null;
            audio = null;
        }
        error.set(null);
    }

    @Override
    public void close() {
        closePipeline();
    }
}
