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

    private static List<Decoded> decode(String head, boolean keep) {
        dev.streamsr.frame.FrameFormat format = head.endsWith("I420") ? dev.streamsr.frame.FrameFormat.I420 : dev.streamsr.frame.FrameFormat.RGB;
        GstRuntime.ensureInitialised();
        Pipeline p = (Pipeline) Gst.parseLaunch(head + " ! appsink name=out sync=false max-buffers=8");
        AppSink sink = (AppSink) p.getElementByName("out");
        List<Decoded> frames = new ArrayList<>();
        try {
            p.play();
            while (true) {
                Sample s = sink.emit(Sample.class, "try-pull-sample", 10_000_000_000L);
                if (s == null) {
                    break;
                }
                try {
                    Structure st = s.getCaps().getStructure(0);
                    int w = st.getInteger("width");
                    int h = st.getInteger("height");
                    Buffer b = s.getBuffer();
                    byte[] rgb = null;
                    if (keep) {
                        ByteBuffer m = b.map(false);
                        try {
                            rgb = dev.streamsr.media.RawFrames.copyTight(m, format, w, h);
                        } finally {
                            b.unmap();
                        }
                    }
                    frames.add(new Decoded(w, h, b.getPresentationTimestamp(), rgb));
                } finally {
                    s.dispose();
                }
            }
        } finally {
            p.stop();
            p.dispose();
        }
        return frames;
    }
}
