package dev.streamsr.webrtc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.media.GstRuntime;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.junit.jupiter.api.Test;

/** The stream's AAC, as ingest publishes it (ADTS frames), comes out as 20 ms Opus packets for WebRTC viewers. */
class OpusTranscoderTest {
    @Test
    void adtsFramesBecomeTwentyMillisecondOpusPackets() throws Exception {
        GstRuntime.ensureInitialised();
        List<byte[]> aac = new ArrayList<>();
        Pipeline source = (Pipeline) Gst.parseLaunch("audiotestsrc num-buffers=94 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2"
                + " ! avenc_aac ! aacparse ! audio/mpeg,stream-format=adts ! appsink name=out sync=false");
        AppSink out = (AppSink) source.getElementByName("out");
        source.play();
        Sample sample;
        while ((sample = out.pullSample()) != null) {
            Buffer b = sample.getBuffer();
            ByteBuffer m = b.map(false);
            byte[] frame = new byte[m.remaining()];
            m.get(frame);
            b.unmap();
            sample.dispose();
            aac.add(frame);
        }
        source.stop();
        assertTrue(aac.size() > 80, "ADTS frames made: " + aac.size());

        List<byte[]> opus = new CopyOnWriteArrayList<>();
        try (OpusTranscoder t = new OpusTranscoder(opus::add)) {
            for (byte[] frame : aac) {
                t.push(frame);
                Thread.sleep(5);
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() < deadline && opus.size() < 80) {
                Thread.sleep(50);
            }
        }
        // 94 x 1024 samples at 48 kHz is 2.0 s: about 100 packets of 20 ms (the encoder holds back a few).
        assertTrue(opus.size() >= 80 && opus.size() <= 105, "Opus packets: " + opus.size());
        // Each packet's TOC byte (RFC 6716, 3.1) gives its frame duration by mode: SILK, hybrid or CELT (2.5 ms written as 3).
        for (byte[] p : opus) {
            int config = (p[0] & 0xff) >> 3;
            int frameMs = config < 12 ? new int[] {10, 20, 40, 60}[config % 4] : config < 16 ? new int[] {10, 20}[config % 2] : new int[] {3, 5, 10, 20}[config % 4];
            assertTrue(frameMs == 20, "packet of " + frameMs + " ms (config " + config + ")");
        }
    }
}
