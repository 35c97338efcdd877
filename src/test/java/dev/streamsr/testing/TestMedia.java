package dev.streamsr.testing;

import dev.streamsr.frame.FrameSize;
import dev.streamsr.media.GstRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;

/** Real clips fetched by ./setup, and independent GStreamer decoding for checking outputs. */
public final class TestMedia {
    private TestMedia() {
    }

    public static Path root() {
        return Path.of(System.getProperty("streamsr.root", ".")).toAbsolutePath();
    }

    /** vtest.avi from Debian's opencv-doc (768x576, 10 fps, 795 frames), fetched by ./setup. */
    public static Path vtest() {
        Path p = root().resolve(".cache/media/vtest.avi");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: run ./setup, which fetches it from Debian's opencv-doc");
        }
        return p;
    }

    /** The first ten seconds (100 frames) of vtest.avi, cut with GStreamer into an MJPEG AVI. */
    public static synchronized Path tenSecondClip() throws IOException, InterruptedException {
        Path out = root().resolve(".cache/media/vtest-10s.avi");
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            return out;
        }
        Path tmp = out.resolveSibling("vtest-10s.avi.tmp");
        run("gst-launch-1.0", "-q", "filesrc", "location=" + vtest(), "!", "decodebin", "!", "videoconvert", "!",
                "identity", "eos-after=100", "!", "jpegenc", "quality=95", "!", "avimux", "!", "filesink", "location=" + tmp);
        Files.move(tmp, out);
        return out;
    }

    public static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + output);
        }
    }

    /** A decoded frame: packed RGB, or I420 from {@link #decodeTs} (whose first width*height bytes are luma). */
    public record Decoded(int width, int height, long pts, byte[] pixels) {
        public FrameSize size() {
            return new FrameSize(width, height);
        }
    }

    /** Counts the video frames of a file by decoding it (no scaling). */
    public static int countFrames(Path file) {
        return decode("filesrc location=\"" + file + "\" ! decodebin ! videoconvert ! video/x-raw,format=RGB", false).size();
    }

    /**
     * Decodes an MPEG-TS file (concatenated HLS segments) to I420 frames, as the decoder outputs
     * them: no colour conversion in between, so a comparison measures the product, not a converter.
     */
    public static List<Decoded> decodeTs(Path file) {
        return decode("filesrc location=\"" + file + "\" ! tsdemux ! h264parse ! avdec_h264 ! video/x-raw,format=I420", true);
    }

    /** Decoded audio: mono 48 kHz samples from {@code startPts} on, gaps filled with silence. */
    public record Audio(long startPts, short[] samples) {
        public static final int RATE = 48_000;

        public long ptsOf(int sample) {
            return startPts + sample * 1_000_000_000L / RATE;
        }
    }

    /** Decodes the AAC track of an MPEG-TS file to mono 48 kHz, placed by buffer timestamps. */
    public static Audio decodeTsAudio(Path file) {
        java.io.ByteArrayOutputStream pcm = new java.io.ByteArrayOutputStream();
        long[] start = {-1};
        pullAll("filesrc location=\"" + file + "\" ! tsdemux ! aacparse ! avdec_aac ! audioconvert ! audioresample"
                + " ! audio/x-raw,format=S16LE,channels=1,rate=48000,layout=interleaved", s -> {
                    Buffer b = s.getBuffer();
                    long pts = b.getPresentationTimestamp();
                    if (start[0] < 0) {
                        start[0] = pts;
                    }
                    int at = (int) ((pts - start[0]) * Audio.RATE / 1_000_000_000L) * 2;
                    while (pcm.size() < at) {
                        pcm.write(0);
                    }
                    ByteBuffer m = b.map(false);
                    try {
                        byte[] bytes = new byte[m.remaining()];
                        m.get(bytes);
                        pcm.write(bytes, 0, bytes.length);
                    } finally {
                        b.unmap();
                    }
                });
        byte[] raw = pcm.toByteArray();
        short[] samples = new short[raw.length / 2];
        ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
        return new Audio(start[0], samples);
    }

    /**
     * An MPEG-TS clip with H.264 video (160x120, 25 fps, black) and AAC audio (48 kHz mono, silent)
     * in which, at each of {@code events} seconds, one white frame and a 40 ms 1 kHz beep start
     * together: a clip whose sync can be measured from the decoded output alone.
     */
    public static Path flashAndBeepClip(Path out, int seconds, double... events) {
        GstRuntime.ensureInitialised();
        int fps = 25;
        int w = 160;
        int h = 120;
        Pipeline p = (Pipeline) Gst.parseLaunch(
                "appsrc name=v format=time caps=video/x-raw,format=I420,width=160,height=120,framerate=25/1"
                + " ! x264enc tune=zerolatency key-int-max=25 ! h264parse ! mpegtsmux name=mux ! filesink location=\"" + out + "\""
                + " appsrc name=a format=time caps=audio/x-raw,format=S16LE,channels=1,rate=48000,layout=interleaved"
                + " ! audioconvert ! avenc_aac ! aacparse ! mux.");
        org.freedesktop.gstreamer.elements.AppSrc v = (org.freedesktop.gstreamer.elements.AppSrc) p.getElementByName("v");
        org.freedesktop.gstreamer.elements.AppSrc a = (org.freedesktop.gstreamer.elements.AppSrc) p.getElementByName("a");
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        p.getBus().connect((org.freedesktop.gstreamer.Bus.EOS) src -> done.countDown());
        p.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (src, code, msg) -> done.countDown());
        int chunk = 960;
        long frameNs = 1_000_000_000L / fps;
        long chunkNs = chunk * 1_000_000_000L / Audio.RATE;
        try {
            p.play();
            long nextVideo = 0;
            long nextAudio = 0;
            long end = seconds * 1_000_000_000L;
            while (nextVideo < end || nextAudio < end) {
                if (nextVideo < end && nextVideo <= nextAudio) {
                    boolean flash = false;
                    for (double e : events) {
                        flash |= Math.abs(nextVideo - (long) (e * 1e9)) < frameNs / 2;
                    }
                    byte[] frame = new byte[w * h * 3 / 2];
                    java.util.Arrays.fill(frame, 0, w * h, (byte) (flash ? 235 : 16));
                    java.util.Arrays.fill(frame, w * h, frame.length, (byte) 128);
                    v.pushBuffer(timed(frame, nextVideo, frameNs));
                    nextVideo += frameNs;
                } else {
                    byte[] pcm = new byte[chunk * 2];
                    ByteBuffer bb = ByteBuffer.wrap(pcm).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < chunk; i++) {
                        double t = (nextAudio + i * 1_000_000_000L / Audio.RATE) / 1e9;
                        double value = 0;
                        for (double e : events) {
                            if (t >= e && t < e + 0.040) {
                                value = 0.5 * Math.sin(2 * Math.PI * 1000 * (t - e));
                            }
                        }
                        bb.putShort((short) (value * 32767));
                    }
                    a.pushBuffer(timed(pcm, nextAudio, chunkNs));
                    nextAudio += chunkNs;
                }
            }
            v.endOfStream();
            a.endOfStream();
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("writing " + out + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            p.stop();
            p.dispose();
        }
        return out;
    }

    private static Buffer timed(byte[] data, long pts, long duration) {
        Buffer b = new Buffer(data.length);
        ByteBuffer m = b.map(true);
        try {
            m.put(data);
        } finally {
            b.unmap();
        }
        b.setPresentationTimestamp(pts);
        b.setDuration(duration);
        return b;
    }

    private static List<Decoded> decode(String head, boolean keep) {
        dev.streamsr.frame.FrameFormat format = head.endsWith("I420") ? dev.streamsr.frame.FrameFormat.I420 : dev.streamsr.frame.FrameFormat.RGB;
        List<Decoded> frames = new ArrayList<>();
        pullAll(head, s -> {
            Structure st = s.getCaps().getStructure(0);
            int w = st.getInteger("width");
            int h = st.getInteger("height");
            Buffer b = s.getBuffer();
            byte[] pixels = null;
            if (keep) {
                ByteBuffer m = b.map(false);
                try {
                    pixels = dev.streamsr.media.RawFrames.copyTight(m, format, w, h);
                } finally {
                    b.unmap();
                }
            }
            frames.add(new Decoded(w, h, b.getPresentationTimestamp(), pixels));
        });
        return frames;
    }

    /** Runs {@code head ! appsink} to the end and hands every sample to {@code each} (disposed afterwards). */
    private static void pullAll(String head, java.util.function.Consumer<Sample> each) {
        GstRuntime.ensureInitialised();
        Pipeline p = (Pipeline) Gst.parseLaunch(head + " ! appsink name=out sync=false max-buffers=8");
        AppSink sink = (AppSink) p.getElementByName("out");
        try {
            p.play();
            for (Sample s = sink.emit(Sample.class, "try-pull-sample", 10_000_000_000L); s != null;
                 s = sink.emit(Sample.class, "try-pull-sample", 10_000_000_000L)) {
                try {
                    each.accept(s);
                } finally {
                    s.dispose();
                }
            }
        } finally {
            p.stop();
            p.dispose();
        }
    }
}
