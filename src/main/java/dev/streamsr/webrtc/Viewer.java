package dev.streamsr.webrtc;

import dev.streamsr.media.GstRuntime;
import dev.streamsr.media.PipelineTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.PromiseResult;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.SDPMessage;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.webrtc.WebRTCBin;
import org.freedesktop.gstreamer.webrtc.WebRTCICEGatheringState;
import org.freedesktop.gstreamer.webrtc.WebRTCPeerConnectionState;
import org.freedesktop.gstreamer.webrtc.WebRTCSDPType;
import org.freedesktop.gstreamer.webrtc.WebRTCSessionDescription;

/**
 * One WebRTC peer: a webrtcbin answering the viewer's offer, fed with access units and Opus
 * packets pushed from Java. Video starts at a key frame: frames before the first one would only
 * show as corruption.
 */
final class Viewer implements AutoCloseable {
    private final String id;
    private final Pipeline pipeline;
    private final WebRTCBin rtc;
    private final AppSrc video;
    private final AppSrc audio;
    private final Bus bus;
    private final Bus.ERROR onError;
    private final AtomicReference<String> error = new AtomicReference<>();
    private final long createdMs = System.currentTimeMillis();
    private volatile boolean answered;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile long firstVideoMs;
    private volatile long lastKeyframeWanted;
    private volatile long lastHeardMs;
    private volatile Runnable onKeyframeWanted;

    Viewer(String id, Offer offer, boolean withAudio, IceServers ice) {
        GstRuntime.ensureInitialised();
        this.id = id;
        boolean audioOn = withAudio && offer.hasAudio();
        String description = PipelineTemplate.load("whep-viewer").fill(Map.of("video-pt", Integer.toString(offer.videoPayload())));
        if (audioOn) {
            description += "\n" + PipelineTemplate.load("whep-viewer-audio").fill(Map.of("audio-pt", Integer.toString(offer.audioPayload())));
        }
        pipeline = PipelineTemplate.launch(description, "WebRTC viewer");
        rtc = (WebRTCBin) pipeline.getElementByName("rtc");
        ice.applyTo(rtc);
        video = (AppSrc) pipeline.getElementByName("video");
        audio = audioOn ? (AppSrc) pipeline.getElementByName("audio") : null;
        // A browser that cannot decode on (a lost packet, a decoder reset) asks for a key frame
        // (PLI/FIR); webrtcbin turns that into an upstream force-key-unit event, which would stop
        // at our appsrc. Without this a lost packet froze the picture until the next natural key
        // frame (seconds). Retransmission (do-nack on the transceiver) would make fewer requests,
        // but gst1-java-core cannot reach transceivers, and set through GObject it stopped the video.
        video.getStaticPad("src").addProbe(PadProbeType.EVENT_UPSTREAM, (pad, info) -> {
            try {
                Structure s = info.getEvent().getStructure();
                long now = System.currentTimeMillis();
                if (s != null && s.hasName("GstForceKeyUnit") && now - lastKeyframeWanted > 300) {
                    lastKeyframeWanted = now;
                    Runnable r = onKeyframeWanted;
                    if (r != null) {
                        r.run();
                    }
                }
            } catch (RuntimeException e) {
                // A throw here would drop the event; a missed request only means waiting for the next key frame.
            }
            return PadProbeReturn.OK;
        });
        bus = pipeline.getBus();
        onError = (source, code, message) -> error.compareAndSet(null, message);
        bus.connect(onError);
        pipeline.play();
    }

    /** What to do when the browser asks for a key frame. */
    void onKeyframeWanted(Runnable action) {
        this.onKeyframeWanted = action;
    }

    String id() {
        return id;
    }

    /** Sets the offer, creates the answer and waits until ICE has gathered its candidates, which the answer then carries. */
    String answer(Offer offer, Duration timeout) throws InterruptedException {
        SDPMessage remote = new SDPMessage();
        remote.parseBuffer(offer.sdp());
        rtc.setRemoteDescription(new WebRTCSessionDescription(WebRTCSDPType.OFFER, remote));
        // A promise waited on here, not one with a callback: gst1-java-core's callback promise can
        // be collected before webrtcbin replies, and the answer then never came (seen under load).
        Promise promise = new Promise();
        rtc.emit("create-answer", null, promise);
        PromiseResult result = promise.waitResult();
        Structure reply = promise.getReply();
        if (result != PromiseResult.REPLIED) {
            throw new IllegalStateException("webrtcbin made no answer (" + result + ")");
        }
        if (reply == null || !reply.hasField("answer")) {
            // webrtcbin replies without an answer to an offer it cannot take: the client's to fix, not ours.
            throw new IllegalArgumentException("the offer cannot be answered: every media section needs a=mid, ICE credentials"
                    + " (a=ice-ufrag, a=ice-pwd) and a DTLS fingerprint, as a browser's createOffer() gives");
        }
        rtc.setLocalDescription((WebRTCSessionDescription) reply.getValue("answer"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (rtc.getICEGatheringState() != WebRTCICEGatheringState.COMPLETE && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String failure = error.get();
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        WebRTCSessionDescription local = rtc.getLocalDescription();
        if (local == null) {
            throw new IllegalStateException("webrtcbin made no answer");
        }
        String sdp = local.getSDPMessage().toString();
        if (!sdp.contains("m=video") || sdp.matches("(?s).*m=video 0 .*")) {
            throw new IllegalArgumentException("the offer's video cannot be answered: " + firstLine(sdp, "m=video"));
        }
        listenForTheBrowser();
        answered = true;
        return sdp;
    }

    /**
     * A browser that leaves without a DELETE (closed, crashed, unplugged) leaves webrtcbin
     * "connected": nothing here checks ICE consent. What a receiving browser always sends is RTCP
     * (receiver reports, congestion feedback) several times a second, so silence on the ICE
     * transports means it is gone.
     */
    private void listenForTheBrowser() {
        for (org.freedesktop.gstreamer.Element e : rtc.getElementsRecursive()) {
            if (e.getFactory() != null && "nicesrc".equals(e.getFactory().getName())) {
                e.getStaticPad("src").addProbe(PadProbeType.BUFFER, (pad, info) -> {
                    lastHeardMs = System.currentTimeMillis();
                    return PadProbeReturn.OK;
                });
            }
        }
    }

    /** Milliseconds since the browser last sent anything (since the offer, before it did). */
    long silentMs(long now) {
        return now - Math.max(createdMs, lastHeardMs);
    }

    boolean heardFrom() {
        return lastHeardMs > 0;
    }

    /** Whether a video access unit was taken; frames wait for the answer and then for a key frame. */
    boolean video(byte[] accessUnit, boolean keyframe) {
        if (closed || !answered || (!started && !keyframe)) {
            return false;
        }
        if (!started) {
            started = true;
            firstVideoMs = System.currentTimeMillis();
        }
        video.pushBuffer(buffer(accessUnit));
        return true;
    }

    void audio(byte[] packet) {
        if (audio != null && answered && started && !closed) {
            audio.pushBuffer(buffer(packet));
        }
    }

    boolean waitingForKeyframe() {
        return answered && !started;
    }

    /** Milliseconds from the offer to the first key frame sent, or -1. */
    long startMs() {
        return started ? firstVideoMs - createdMs : -1;
    }

    long ageMs(long now) {
        return now - createdMs;
    }

    WebRTCPeerConnectionState state() {
        return rtc.getConnectionState();
    }

    String error() {
        return error.get();
    }

    private static Buffer buffer(byte[] data) {
        Buffer b = new Buffer(data.length);
        b.map(true).put(data);
        b.unmap();
        return b;
    }

    private static String firstLine(String sdp, String prefix) {
        return sdp.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(none)");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipeline.stop();
        bus.disconnect(onError);
        pipeline.dispose();
    }
}
