package dev.streamsr.media;

import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstException;
import org.freedesktop.gstreamer.Version;

/** Initialises GStreamer once per JVM; every role that builds a pipeline calls {@link #ensureInitialised()}. */
public final class GstRuntime {
    private static boolean initialised;

    private GstRuntime() {
    }

    public static synchronized void ensureInitialised() {
        if (initialised) {
            return;
        }
        try {
            // Requesting 1.16 unlocks the newer API calls; the plain init() makes them throw.
            // No segtrap: GStreamer would catch SIGSEGV process-wide while it loads a plugin, and the
            // JVM raises SIGSEGV on purpose (safepoints, null checks): a plugin loaded while another
            // thread ran Java (srtp, the first time a WebRTC viewer came) crashed the JVM.
            Gst.init(Version.of(1, 16), "streamsr", "--gst-disable-segtrap");
        } catch (GstException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("GStreamer 1.16+ is not installed or cannot be loaded ("
                    + e.getMessage() + "); run ./setup to install it", e);
        }
        initialised = true;
    }
}
