package dev.streamsr.packager;

import dev.streamsr.media.GstRuntime;
import dev.streamsr.media.PipelineTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.message.MessageType;

/**
 * Writes one timeline of one rendition of one stream as MPEG-TS segments: {@code appsrc ! h264parse
 * ! splitmuxsink}, plus an AAC branch when the stream has audio. Closed segments go into the
 * rendition's {@link LivePlaylist}, which outlives this writer. When a segment is closed, every
 * frame in it is reported to {@link SegmentListener} with its ingest time, which is how the
 * end-to-end latency "ingest to HLS segment written" is measured.
 */
final class HlsWriter implements AutoCloseable {
    /** Called on the bus thread for each frame whose segment is now on disk; must not block. */
    interface SegmentListener {
        void written(long ingestNanos);

        default void segmentClosed() {
        }
    }

    private record Pending(long pts, long ingestNanos) {
    }

    private final Pipeline pipeline;
    private final AppSrc video;
    private final AppSrc audio;
    private final Bus bus;
    private final Bus.ERROR onError;
    private final Bus.EOS onEos;
    private final Bus.MESSAGE onSegment;
    private final ConcurrentLinkedDeque<Pending> pending = new ConcurrentLinkedDeque<>();
    private final CountDownLatch eos = new CountDownLatch(1);
    private final AtomicReference<String> error = new AtomicReference<>();
    private final long frameDuration;
    private long basePts = -1;
    private long lastPts = -1;
    private long lastAudioPts = Long.MIN_VALUE;
    private boolean audioEnded;
    private volatile long openedAt;
    private boolean closed;

    HlsWriter(Path dir, HlsSettings settings, LivePlaylist playlist, long frameDurationNanos, boolean withAudio,
              SegmentListener listener) {
        GstRuntime.ensureInitialised();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create HLS directory " + dir, e);
        }
        this.frameDuration = frameDurationNanos;
        String description = PipelineTemplate.load("package-hls").fill(Map.of(
                "caps", "video/x-h264,stream-format=byte-stream,alignment=au",
                "location", dir.resolve("segment%05d.ts").toString(),
                "start-index", Long.toString(playlist.nextIndex()),
                "max-size-time", Long.toString(TimeUnit.SECONDS.toNanos(settings.segmentSeconds()))));
        if (withAudio) {
            description += " " + PipelineTemplate.load("package-hls-audio").fill(Map.of());
        }
        pipeline = PipelineTemplate.launch(description, "HLS pipeline");
        video = (AppSrc) pipeline.getElementByName("video");
        audio = withAudio ? (AppSrc) pipeline.getElementByName("audio") : null;
        bus = pipeline.getBus();
        onError = (s, code, message) -> {
            error.compareAndSet(null, message);
            eos.countDown();
        };
        onEos = s -> eos.countDown();
        onSegment = (b, message) -> {
            if (message.getType() != MessageType.ELEMENT) {
                return;
            }
            Structure st = message.getStructure();
            if (st == null || !(st.getValue("running-time") instanceof Number at)) {
                return;
            }
            if ("splitmuxsink-fragment-opened".equals(st.getName())) {
                openedAt = at.longValue();
            } else if ("splitmuxsink-fragment-closed".equals(st.getName())) {
                String location = st.getString("location");
                Pending first = pending.peekFirst();
                playlist.added(Path.of(location).getFileName().toString(), (at.longValue() - openedAt) / 1e9,
                        first == null ? -1 : first.ingestNanos());
                // The fragment ends at this running time: every frame before it is on disk now.
                for (Pending f = pending.peekFirst(); f != null && f.pts() < at.longValue(); f = pending.peekFirst()) {
                    pending.pollFirst();
                    listener.written(f.ingestNanos());
                }
                listener.segmentClosed();
            }
        };
        bus.connect(onError);
        bus.connect(onEos);
        bus.connect(onSegment);
        pipeline.play();
    }

    boolean hasAudio() {
        return audio != null && !audioEnded;
    }

    /** Source PTS of the last video frame pushed, or -1 before the first. */
    long lastSourcePts() {
        return lastPts < 0 ? -1 : lastPts + basePts;
    }

    /** Source PTS of the last audio frame pushed, or {@link Long#MIN_VALUE} before the first. */
    long lastAudioSourcePts() {
        return lastAudioPts == Long.MIN_VALUE ? Long.MIN_VALUE : lastAudioPts + basePts;
    }

    /** Pushes one access unit; PTS are rebased so this timeline's first frame is at 0. */
    void push(byte[] au, long ptsNanos, boolean keyframe, long ingestNanos) {
        failIfBroken();
        if (basePts < 0) {
            basePts = ptsNanos;
        }
        long pts = ptsNanos - basePts;
        if (pts <= lastPts) {
            pts = lastPts + 1;
        }
        lastPts = pts;
        pending.addLast(new Pending(pts, ingestNanos));
        Buffer buffer = buffer(au, pts, frameDuration);
        if (!keyframe) {
            buffer.setFlags(EnumSet.of(BufferFlags.DELTA_UNIT));
        }
        FlowReturn ret = video.pushBuffer(buffer);
        if (ret != FlowReturn.OK) {
            throw new IllegalStateException("HLS writer refused an access unit: " + ret);
        }
    }

    /**
     * Pushes one AAC frame (ADTS) on the same timeline as the video. Returns false when it cannot
     * be used: before this timeline's first video frame, not after the previous one, or after the
     * audio branch was ended.
     */
    boolean pushAudio(byte[] adts, long ptsNanos, long durationNanos) {
        failIfBroken();
        if (audio == null || audioEnded || basePts < 0 || ptsNanos < basePts) {
            return false;
        }
        long pts = ptsNanos - basePts;
        if (pts <= lastAudioPts) {
            return false;
        }
        lastAudioPts = pts;
        FlowReturn ret = audio.pushBuffer(buffer(adts, pts, durationNanos));
        if (ret != FlowReturn.OK) {
            throw new IllegalStateException("HLS writer refused an audio frame: " + ret);
        }
        return true;
    }

    /** The source stopped sending audio: the muxer stops waiting for it and goes on with video alone. */
    void endAudio() {
        if (audio != null && !audioEnded) {
            audioEnded = true;
            audio.endOfStream();
        }
    }

    /** Ends this timeline: the last segment is closed and listed. The playlist itself stays open. */
    void finish() throws InterruptedException {
        endAudio();
        video.endOfStream();
        if (!eos.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("HLS writer did not finish within 10 s");
        }
        failIfBroken();
    }

    private void failIfBroken() {
        String e = error.get();
        if (e != null) {
            throw new IllegalStateException("HLS writer failed: " + e);
        }
    }

    private static Buffer buffer(byte[] data, long pts, long duration) {
        Buffer buffer = new Buffer(data.length);
        ByteBuffer mapped = buffer.map(true);
        try {
            mapped.put(data);
        } finally {
            buffer.unmap();
        }
        buffer.setPresentationTimestamp(pts);
        buffer.setDecodeTimestamp(pts);
        buffer.setDuration(duration);
        return buffer;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipeline.stop();
        bus.disconnect(onError);
        bus.disconnect(onEos);
        bus.disconnect(onSegment);
        pipeline.dispose();
    }
}
