package dev.streamsr.ingest;

import dev.streamsr.media.PipelineTemplate;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.Region;
import dev.streamsr.stream.Source;
import dev.streamsr.stream.SourceKind;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.elements.URIDecodeBin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One play of a source's pipeline, from building it to the end of its video: wires the bus, the
 * demuxer's pads and the audio tap, pulls decoded samples, and says how it ended. Reconnecting is
 * the caller's job.
 */
final class SourceRun {
    private static final Logger log = LoggerFactory.getLogger(SourceRun.class);
    private static final long PULL_TIMEOUT_NS = 200_000_000L;

    enum Outcome { ENDED, FAILED, STOPPED, NO_VIDEO }

    private final Source source;
    private final IngestSettings settings;
    private final AudioTap audio;
    private final Counter droppedAtSource;
    private final BooleanSupplier stopping;
    private String error;
    /** The part of the picture to keep; null keeps all of it. Changed from other threads while playing. */
    private volatile Region region;
    /** The running pipeline's crop element and the decoded size it crops, once known. */
    private volatile Element crop;
    private volatile int decodedWidth;
    private volatile int decodedHeight;
    private volatile Pad cropSink;

    /** The camera's shared decoder when this stream is one region of it; null when the stream opens its source itself. */
    private final SharedDecoder shared;

    SourceRun(Source source, IngestSettings settings, AudioTap audio, Counter droppedAtSource, BooleanSupplier stopping,
              SharedDecoder shared) {
        this.shared = shared;
        this.source = source;
        this.settings = settings;
        this.audio = audio;
        this.droppedAtSource = droppedAtSource;
        this.stopping = stopping;
    }

    /**
     * Moves the region while the source plays: the crop changes from the next decoded frame, with
     * no reconnect. A region too small for the decoded size is refused and the old one kept.
     */
    void region(Region r) {
        Pad sink = cropSink;
        if (region == null && sink != null) {
            // The decoded size is followed only while a region is set: read it now.
            readDecodedSize(sink);
        }
        if (r != null && decodedWidth > 0) {
            r.crop(decodedWidth, decodedHeight); // refuses, with the reason, before anything changes
        }
        region = r;
        applyCrop();
    }

    Region region() {
        return region;
    }

    /** The decoded size from the crop's sink pad; true when it changed. Never throws: a probe that throws drops the buffer. */
    private boolean readDecodedSize(Pad pad) {
        try {
            Caps caps = pad.getCurrentCaps();
            if (caps == null || caps.size() == 0) {
                return false;
            }
            Structure st = caps.getStructure(0);
            int w = st.getInteger("width");
            int h = st.getInteger("height");
            if (w == decodedWidth && h == decodedHeight) {
                return false;
            }
            decodedWidth = w;
            decodedHeight = h;
            return true;
        } catch (RuntimeException e) {
            log.warn("stream {}: cannot read the decoded size for the region: {}", source.stream(), e.toString());
            return false;
        }
    }

    private void applyCrop() {
        Element c = crop;
        int w = decodedWidth;
        int h = decodedHeight;
        if (c == null || w <= 0) {
            return;
        }
        Region r = region;
        Region.Crop m = r == null ? new Region.Crop(0, 0, 0, 0) : r.crop(w, h);
        c.set("left", m.left());
        c.set("top", m.top());
        c.set("right", m.right());
        c.set("bottom", m.bottom());
    }

    /** Why the last play failed, credentials masked. */
    String error() {
        return error;
    }

    /** Plays the source until its video ends, it fails or the ingest stops; every decoded sample goes to {@code frames}. */
    Outcome play(Consumer<Sample> frames) {
        if (source.kind() == SourceKind.FILE && shared == null) {
            Path file = Path.of(source.uri());
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                error = "file " + file + " does not exist or is not readable";
                return Outcome.FAILED;
            }
        }
        String description = shared != null ? SourcePipeline.describeShared(source, settings) : SourcePipeline.describe(source, settings);
        log.debug("stream {}: pipeline {}", source.stream(), Credentials.mask(description));
        Pipeline pipeline;
        try {
            pipeline = PipelineTemplate.launch(description, "pipeline");
        } catch (IllegalStateException e) {
            error = Credentials.mask(e.getMessage());
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
        AtomicBoolean videoPad = new AtomicBoolean();
        AtomicBoolean allPads = new AtomicBoolean();
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
        boolean live = source.kind().live();
        if (live) {
            sinkPad.addProbe(PadProbeType.BUFFER, counter);
        }
        audio.attach(pipeline);
        Runnable unsubscribe = shared == null ? () -> { } : feed(shared, (AppSrc) pipeline.getElementByName("shared"));
        // The region is in fractions of the decoded picture: its margins are set from the size of the
        // decoded buffers reaching the crop, before the first one passes and again when the size changes.
        // (A buffer probe and the pad's caps, not an event probe: gst1-java-core can hand an event probe
        // an event wrapped as the wrong type, and a probe that throws drops what it sees.)
        Element roi = pipeline.getElementByName("roi");
        Pad roiSink = roi == null ? null : roi.getStaticPad("sink");
        Pad.PROBE onBuffer = (pad, info) -> {
            // Without a region nothing is cropped, and the decoded size is read when one is set.
            if (region != null && readDecodedSize(pad)) {
                try {
                    applyCrop();
                } catch (IllegalArgumentException e) {
                    log.error("stream {}: {}; the whole picture is used", source.stream(), e.getMessage());
                    region = null;
                    applyCrop();
                }
            }
            return PadProbeReturn.OK;
        };
        if (roiSink != null) {
            crop = roi;
            cropSink = roiSink;
            roiSink.addProbe(PadProbeType.BUFFER, onBuffer);
        }
        long pulled = 0;
        long countedDrops = 0;
        long lastFrameAt = System.nanoTime();
        try {
            pipeline.play();
            while (!stopping.getAsBoolean()) {
                String err = busError.get();
                boolean noVideo = pads.get() > 0 && !videoPad.get();
                if (noVideo && (allPads.get() || err != null)) {
                    error = "no video stream in " + source.display() + (err == null ? "" : " (" + Credentials.mask(err) + ")");
                    return Outcome.NO_VIDEO;
                }
                if (err != null) {
                    error = Credentials.mask(err);
                    return Outcome.FAILED;
                }
                Sample sample = appsink.emit(Sample.class, "try-pull-sample", PULL_TIMEOUT_NS);
                if (sample == null) {
                    if (appsink.isEOS()) {
                        audio.awaitEnd();
                        return busError.get() == null ? Outcome.ENDED : Outcome.FAILED;
                    }
                    if (live && System.nanoTime() - lastFrameAt > settings.stallTimeout().toNanos()) {
                        error = "no frames for " + settings.stallTimeout().toSeconds() + " s";
                        return Outcome.FAILED;
                    }
                    continue;
                }
                lastFrameAt = System.nanoTime();
                pulled++;
                frames.accept(sample);
                if (live) {
                    // What the leaky appsink dropped: buffers that reached it beyond those pulled (and the one queued).
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
            if (live) {
                sinkPad.removeProbe(counter);
            }
            bus.disconnect(onError);
            if (media != null) {
                media.disconnect(onPad);
                media.disconnect(onAllPads);
            }
            audio.detach();
            unsubscribe.run();
            if (roiSink != null) {
                roiSink.removeProbe(onBuffer);
            }
            crop = null;
            cropSink = null;
            pipeline.dispose();
        }
    }

    /** Hands each picture the shared decoder makes to this pipeline's appsrc, on the decoder's timeline. */
    private static Runnable feed(SharedDecoder decoder, AppSrc appsrc) {
        String[] caps = {null};
        Runnable endOff = decoder.onEnd(appsrc::endOfStream);
        Runnable picturesOff = decoder.onPicture(whole -> {
            String c = "video/x-raw,format=" + whole.format().gstFormat() + ",width=" + whole.width() + ",height=" + whole.height()
                    + ",framerate=" + (whole.fps().known() ? whole.fps() : "0/1") + ",pixel-aspect-ratio=1/1";
            if (!c.equals(caps[0])) {
                appsrc.setCaps(Caps.fromString(c));
                caps[0] = c;
            }
            Buffer b = new Buffer(whole.payload().length);
            java.nio.ByteBuffer bb = b.map(true);
            bb.put(whole.payload());
            b.unmap();
            b.setPresentationTimestamp(whole.ptsNanos());
            appsrc.pushBuffer(b);
        });
        return () -> {
            picturesOff.run();
            endOff.run();
        };
    }

    private static boolean isVideo(Pad pad) {
        Caps caps = pad.getCurrentCaps();
        if (caps == null || caps.size() == 0) {
            caps = pad.queryCaps(null);
        }
        return caps != null && caps.size() > 0 && caps.getStructure(0).getName().startsWith("video/");
    }
}
