package dev.streamsr.media;

import dev.streamsr.frame.Fps;
import dev.streamsr.frame.FrameFormat;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.event.Event;
import org.freedesktop.gstreamer.event.EventType;
import org.freedesktop.gstreamer.lowlevel.GstEventAPI;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;

/**
 * A per-stream H.264 encoder: {@code appsrc ! videoconvert ! x264enc ! appsink}. Each raw frame
 * pushed yields its access unit synchronously; the first access unit is always a key frame with
 * SPS/PPS. Not thread-safe: one encoder belongs to one stream on one thread.
 */
public final class H264Encoder implements AutoCloseable {
    private static final long PULL_TIMEOUT_NS = 10_000_000_000L;

    private final Pipeline pipeline;
    private final AppSrc src;
    private final AppSink sink;
    private final Bus bus;
    private final Bus.ERROR onError;
    private final AtomicReference<String> error = new AtomicReference<>();
    private final int frameBytes;
    private final int paddedBytes;
    private final FrameFormat format;
    private final int width;
    private final int height;
    private final long frameDuration;
    private boolean closed;

    public H264Encoder(FrameFormat format, int width, int height, Fps fps, EncoderSettings settings) {
        GstRuntime.ensureInitialised();
        this.format = format;
        this.width = width;
        this.height = height;
        this.frameBytes = (int) format.payloadBytes(width, height);
        this.paddedBytes = RawFrames.paddedSize(format, width, height);
        this.frameDuration = fps.frameNanos(33_333_333L);
        String rateCaps = fps.known() ? fps.toString() : Fps.UNKNOWN.toString();
        String caps = "video/x-raw,format=" + format.gstFormat() + ",width=" + width + ",height=" + height
                + ",framerate=" + rateCaps + ",pixel-aspect-ratio=1/1" + (format == FrameFormat.RGB ? ",colorimetry=sRGB" : "");
        String name = "raw" + width + "x" + height;
        String description = PipelineTemplate.load("encode-h264").fill(Map.of(
                "name", name,
                "caps", caps,
                "threads", Integer.toString(settings.threads()),
                "speed", settings.speedPreset(),
                "key-int", Integer.toString(settings.keyIntFrames(fps)),
                "quality", Integer.toString(settings.quality())));
        pipeline = PipelineTemplate.launch(description, "H.264 encoder");
        src = (AppSrc) pipeline.getElementByName(name);
        sink = (AppSink) pipeline.getElementByName("aus");
        bus = pipeline.getBus();
        onError = (s, code, message) -> error.compareAndSet(null, message);
        bus.connect(onError);
        pipeline.play();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public FrameFormat format() {
        return format;
    }

    /**
     * Encodes one tightly packed frame read from {@code frame}'s position (the position is not
     * moved) and returns its access unit.
     */
    public AccessUnit encode(ByteBuffer frame, long ptsNanos) {
        if (frame.remaining() < frameBytes) {
            throw new IllegalArgumentException("frame has " + frame.remaining() + " bytes, " + width + "x" + height + " " + format + " needs " + frameBytes);
        }
        Buffer buffer = new Buffer(paddedBytes);
        ByteBuffer target = buffer.map(true);
        try {
            copyPadded(frame, target);
        } finally {
            buffer.unmap();
        }
        buffer.setPresentationTimestamp(ptsNanos);
        buffer.setDuration(frameDuration);
        FlowReturn ret = src.pushBuffer(buffer);
        if (ret != FlowReturn.OK) {
            throw new IllegalStateException("encoder refused a frame: " + ret + describeError());
        }
        Sample sample = sink.emit(Sample.class, "try-pull-sample", PULL_TIMEOUT_NS);
        if (sample == null) {
            throw new IllegalStateException("encoder produced no access unit" + describeError());
        }
        return toAccessUnit(sample);
    }

    private void copyPadded(ByteBuffer frame, ByteBuffer target) {
        int pos = frame.position();
        if (paddedBytes == frameBytes) {
            target.put(0, frame, pos, frameBytes);
            return;
        }
        // GStreamer's default layout pads rows to 4 bytes: copy row by row into it.
        switch (format) {
            case RGB -> copyRows(frame, pos, width * 3, target, 0, (width * 3 + 3) & ~3, height);
            case I420 -> {
                int cw = (width + 1) / 2;
                int ch = (height + 1) / 2;
                int ys = (width + 3) & ~3;
                int cs = (cw + 3) & ~3;
                copyRows(frame, pos, width, target, 0, ys, height);
                copyRows(frame, pos + width * height, cw, target, ys * height, cs, ch);
                copyRows(frame, pos + width * height + cw * ch, cw, target, ys * height + cs * ch, cs, ch);
            }
            default -> throw new IllegalStateException(format + " is not raw");
        }
    }

    private static void copyRows(ByteBuffer src, int srcOff, int rowBytes, ByteBuffer dst, int dstOff, int dstStride, int rows) {
        for (int r = 0; r < rows; r++) {
            dst.put(dstOff + r * dstStride, src, srcOff + r * rowBytes, rowBytes);
        }
    }

    private static AccessUnit toAccessUnit(Sample sample) {
        try {
            Buffer out = sample.getBuffer();
            boolean key = !out.getFlags().contains(BufferFlags.DELTA_UNIT);
            ByteBuffer mapped = out.map(false);
            try {
                byte[] data = new byte[mapped.remaining()];
                mapped.get(data);
                return new AccessUnit(data, key);
            } finally {
                out.unmap();
            }
        } finally {
            sample.dispose();
        }
    }

    /**
     * Makes the next frame a key frame (with SPS/PPS): an upstream force-key-unit event from the
     * sink to x264enc, which honours it on the next frame it encodes.
     */
    public void forceKeyframe() {
        Structure s = new Structure("GstForceKeyUnit");
        Event event = GstEventAPI.GSTEVENT_API.gst_event_new_custom(EventType.CUSTOM_UPSTREAM, s);
        sink.getStaticPad("sink").pushEvent(event);
    }

    private String describeError() {
        String e = error.get();
        return e == null ? "" : " (" + e + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        src.endOfStream();
        pipeline.stop();
        bus.disconnect(onError);
        pipeline.dispose();
    }
}
