package dev.streamsr.packager;

import dev.streamsr.media.GstRuntime;
import dev.streamsr.media.PipelineTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.message.MessageType;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.glib.GError;

/**
 * Writes one rendition of one stream as HLS: {@code appsrc ! h264parse ! hlssink2}. When a segment
 * is closed, every frame in it is reported to {@link SegmentListener} with its ingest time, which
 * is how the end-to-end latency "ingest to HLS segment written" is measured.
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
    private final AppSrc src;
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
    private boolean closed;

    HlsWriter(Path dir, HlsSettings settings, long frameDurationNanos, SegmentListener listener) {
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
                "playlist", dir.resolve("index.m3u8").toString(),
                "target-duration", Integer.toString(settings.segmentSeconds()),
                "playlist-length", Integer.toString(settings.playlistLength()),
                "max-files", Integer.toString(settings.maxFiles())));
        List<GError> errors = new ArrayList<>();
        Element parsed = Gst.parseLaunch(description, errors);
        if (!errors.isEmpty() || !(parsed instanceof Pipeline p)) {
            throw new IllegalStateException("cannot build HLS pipeline: " + (errors.isEmpty() ? "not a pipeline" : errors.get(0).getMessage()));
        }
        pipeline = p;
        src = (AppSrc) pipeline.getElementByName("aus");
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
            if (st != null && "splitmuxsink-fragment-closed".equals(st.getName()) && st.getValue("running-time") instanceof Number end) {
                // The fragment ends at this running time: every frame before it is on disk now.
                for (Pending f = pending.peekFirst(); f != null && f.pts() < end.longValue(); f = pending.peekFirst()) {
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

    /** Pushes one access unit; PTS are rebased so the stream's first frame is at 0. */
    void push(byte[] au, long ptsNanos, boolean keyframe, long ingestNanos) {
        String e = error.get();
        if (e != null) {
            throw new IllegalStateException("HLS writer failed: " + e);
        }
        if (basePts < 0) {
            basePts = ptsNanos;
        }
        long pts = ptsNanos - basePts;
        if (pts <= lastPts) {
            pts = lastPts + 1;
        }
        lastPts = pts;
        pending.addLast(new Pending(pts, ingestNanos));
        Buffer buffer = new Buffer(au.length);
        ByteBuffer mapped = buffer.map(true);
        try {
            mapped.put(au);
        } finally {
            buffer.unmap();
        }
        buffer.setPresentationTimestamp(pts);
        buffer.setDecodeTimestamp(pts);
        buffer.setDuration(frameDuration);
        if (!keyframe) {
            buffer.setFlags(EnumSet.of(BufferFlags.DELTA_UNIT));
        }
        FlowReturn ret = src.pushBuffer(buffer);
        if (ret != FlowReturn.OK) {
            throw new IllegalStateException("HLS writer refused an access unit: " + ret);
        }
    }

    /** Ends the stream: the last segment is written and the playlist gets #EXT-X-ENDLIST. */
    void finish() throws InterruptedException {
        src.endOfStream();
        if (!eos.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("HLS writer did not finish within 10 s");
        }
        String e = error.get();
        if (e != null) {
            throw new IllegalStateException("HLS writer failed: " + e);
        }
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
