package dev.streamsr.testing;

import dev.streamsr.media.GstRuntime;
import java.nio.ByteBuffer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.elements.AppSrc;

/**
 * A live camera on UDP (H.264 and AAC in MPEG-TS, as many encoders send) whose every frame carries the
 * wall clock at which it was made: 24 bits of milliseconds as black and white squares along the
 * top. Whatever shows the frame later can read when it was made, so glass-to-glass latency is
 * measured on the picture itself. Squares are 10 px on a 12 px pitch from x = 8, in the top 10
 * rows; bit 23 first.
 */
public final class TimecodeCamera implements AutoCloseable {
    public static final int BITS = 24;
    private final int width;
    private final int height;
    private final int fps;
    private final Pipeline pipeline;
    private final AppSrc src;
    private final Thread thread;
    private volatile boolean stopping;

    public TimecodeCamera(int port, int width, int height, int fps) {
        GstRuntime.ensureInitialised();
        this.width = width;
        this.height = height;
        this.fps = fps;
        pipeline = (Pipeline) Gst.parseLaunch("appsrc name=src is-live=true format=time do-timestamp=true caps=video/x-raw,format=I420,width="
                + width + ",height=" + height + ",framerate=" + fps + "/1"
                + " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=" + fps + " threads=1"
                + " ! video/x-h264,profile=constrained-baseline ! mpegtsmux name=mux alignment=7 ! udpsink host=127.0.0.1 port=" + port + " sync=false"
                + " audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! queue ! mux.");
        src = (AppSrc) pipeline.getElementByName("src");
        pipeline.play();
        thread = Thread.ofPlatform().daemon().name("timecode-camera").start(this::run);
    }

    private void run() {
        long periodNs = 1_000_000_000L / fps;
        long next = System.nanoTime();
        int frame = 0;
        int ySize = width * height;
        int cSize = (width / 2) * (height / 2);
        while (!stopping) {
            long millis = System.currentTimeMillis();
            Buffer b = new Buffer(ySize + 2 * cSize);
            ByteBuffer p = b.map(true);
            // A moving gradient, so the encoder and the upscaler have a real picture to work on.
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    p.put(y * width + x, (byte) (60 + ((x + y + frame * 4) % 120)));
                }
            }
            for (int i = 0; i < 2 * cSize; i++) {
                p.put(ySize + i, (byte) 128);
            }
            int code = (int) (millis % (1 << BITS));
            for (int bit = 0; bit < BITS; bit++) {
                boolean one = ((code >> (BITS - 1 - bit)) & 1) == 1;
                int x0 = 8 + 12 * bit;
                for (int y = 0; y < 10; y++) {
                    for (int x = x0; x < x0 + 10; x++) {
                        p.put(y * width + x, (byte) (one ? 235 : 16));
                    }
                }
            }
            b.unmap();
            src.pushBuffer(b);
            frame++;
            next += periodNs;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The page-side reader of the code, for {@code executeScript}: {@code timecode(video)} is the code of the frame the video shows, or null. */
    public static String pageReader(int sourceWidth) {
        return "window.timecode = function (video) {"
                + " const w = video.videoWidth, h = video.videoHeight; if (!w) { return null; }"
                + " const s = w / " + sourceWidth + ";"
                + " const c = window.timecode.canvas || (window.timecode.canvas = document.createElement('canvas'));"
                + " c.width = w; c.height = Math.ceil(10 * s);"
                + " const g = c.getContext('2d', { willReadFrequently: true });"
                + " g.drawImage(video, 0, 0, w, c.height, 0, 0, w, c.height);"
                + " const d = g.getImageData(0, 0, c.width, c.height).data;"
                + " let v = 0;"
                + " for (let i = 0; i < " + BITS + "; i++) {"
                + "   const x = Math.round((13 + 12 * i) * s), y = Math.round(5 * s);"
                + "   v = v * 2 + (d[(y * c.width + x) * 4] > 128 ? 1 : 0); }"
                + " return v; };"
                + " window.timecodeAge = function (code, wallMs) { const m = " + (1 << BITS) + "; return ((wallMs % m) - code + m) % m; };";
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(2_000);
        pipeline.stop();
        pipeline.dispose();
    }
}
