package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.WallClock;
import io.micrometer.core.instrument.Counter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audio branch of a source pipeline: AAC as the source sends it ({@code audio-encoded}) or
 * encoded once ({@code audio}), one ADTS frame per record on the video's timeline. Runs on the
 * audio appsinks' streaming threads.
 */
final class AudioTap {
    private static final Logger log = LoggerFactory.getLogger(AudioTap.class);
    private static final String[] SINKS = {"audio", "audio-encoded"};
    /** AAC frames are 1024 samples; at 48 kHz when the buffer does not say. */
    private static final long DEFAULT_DURATION_NS = 1024L * 1_000_000_000L / 48_000;

    private final StreamId stream;
    private final PtsTimeline timeline;
    private final FrameSink sink;
    private final Counter frames;
    private final BooleanSupplier stopping;
    private final Set<String> sinksWithData = ConcurrentHashMap.newKeySet();
    private final List<AppSink> sinks = new ArrayList<>();
    private final AppSink.NEW_SAMPLE onSample = this::sample;
    private volatile boolean reported;

    AudioTap(StreamId stream, PtsTimeline timeline, FrameSink sink, Counter frames, BooleanSupplier stopping) {
        this.stream = stream;
        this.timeline = timeline;
        this.sink = sink;
        this.frames = frames;
        this.stopping = stopping;
    }

    /** Listens to the pipeline's audio appsinks, if it has any. */
    void attach(Pipeline pipeline) {
        for (String name : SINKS) {
            if (pipeline.getElementByName(name) instanceof AppSink a) {
                a.connect(onSample);
                sinks.add(a);
            }
        }
    }

    void detach() {
        sinks.forEach(a -> a.disconnect(onSample));
        sinks.clear();
    }

    /** The video ended: give audio that is still in flight (the tail of a file) up to 2 s to arrive. */
    void awaitEnd() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (AppSink a : sinks) {
            // A branch that never got audio was never linked and never ends.
            while (sinksWithData.contains(a.getName()) && !a.isEOS() && System.nanoTime() < deadline && !stopping.getAsBoolean()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private FlowReturn sample(AppSink appsink) {
        Sample sample = appsink.pullSample();
        if (sample == null) {
            return FlowReturn.OK;
        }
        try {
            Buffer buffer = sample.getBuffer();
            long pts = buffer.getPresentationTimestamp();
            if (pts < 0 || stopping.getAsBoolean()) {
                return FlowReturn.OK;
            }
            long duration = buffer.getDuration() > 0 ? buffer.getDuration() : DEFAULT_DURATION_NS;
            ByteBuffer mapped = buffer.map(false);
            byte[] adts = new byte[mapped.remaining()];
            try {
                mapped.get(adts);
            } finally {
                buffer.unmap();
            }
            sinksWithData.add(appsink.getName());
            if (!reported) {
                reported = true;
                log.info("stream {}: forwarding audio ({})", stream, sample.getCaps());
            }
            sink.audio(new AudioFrame(stream, timeline.at(pts), duration, WallClock.nowNanos(), adts));
            frames.increment();
        } finally {
            sample.dispose();
        }
        return FlowReturn.OK;
    }
}
