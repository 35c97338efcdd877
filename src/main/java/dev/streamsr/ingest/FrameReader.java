package dev.streamsr.ingest;

import dev.streamsr.frame.Fps;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.Tuning;
import dev.streamsr.frame.WallClock;
import dev.streamsr.media.RawFrames;
import dev.streamsr.stream.Source;
import io.micrometer.core.instrument.Counter;
import java.nio.ByteBuffer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Fraction;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a decoded sample into a {@link Frame}: size and rate from its caps, tight pixels out of
 * GStreamer's padded rows, PTS on the stream's {@link PtsTimeline}. A frame larger than the
 * limits is refused here (counted, logged once), before it costs a copy or a record.
 */
final class FrameReader {
    private static final Logger log = LoggerFactory.getLogger(FrameReader.class);

    private final Source source;
    private final IngestSettings settings;
    private final PtsTimeline timeline;
    private final Counter oversize;
    private boolean oversizeReported;

    FrameReader(Source source, IngestSettings settings, PtsTimeline timeline, Counter oversize) {
        this.source = source;
        this.settings = settings;
        this.timeline = timeline;
        this.oversize = oversize;
    }

    /** True once a frame was refused for its size: a file of nothing else failed for that reason. */
    boolean refusedOversize() {
        return oversizeReported;
    }

    /** The frame numbered {@code seq}, or null when the sample is refused. Disposes of the sample. */
    Frame read(Sample sample, long seq, Tuning tuning) {
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
            timeline.rate(fps);
            if (!settings.limits().allows(width, height)) {
                refuse(width, height);
                return null;
            }
            Buffer buffer = sample.getBuffer();
            long rawPts = buffer.getPresentationTimestamp();
            ByteBuffer mapped = buffer.map(false);
            try {
                payload = RawFrames.copyTight(mapped, settings.format(), width, height);
            } finally {
                buffer.unmap();
            }
            pts = timeline.video(rawPts);
        } finally {
            sample.dispose();
        }
        return new Frame(source.stream(), seq, pts, width, height, settings.format(), false, WallClock.nowNanos(), fps, payload,
                source.realTime(), tuning);
    }

    private void refuse(int width, int height) {
        oversize.increment();
        if (!oversizeReported) {
            oversizeReported = true;
            log.error("stream {}: frame {}x{} exceeds the largest allowed frame {} (--max-frame-size); frames refused "
                    + "until the source shrinks; cap it with --max-input-size", source.stream(), width, height, settings.limits().maxFrame());
        }
    }
}
