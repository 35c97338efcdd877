package dev.streamsr.webrtc;

import dev.streamsr.media.GstRuntime;
import dev.streamsr.media.PipelineTemplate;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;

/** A stream's AAC frames to Opus packets, once for all its WebRTC viewers. */
final class OpusTranscoder implements AutoCloseable {
    private final Pipeline pipeline;
    private final AppSrc aac;
    private final AppSink opus;

    OpusTranscoder(Consumer<byte[]> packets) {
        GstRuntime.ensureInitialised();
        pipeline = PipelineTemplate.launch(PipelineTemplate.load("whep-opus").fill(Map.of()), "Opus encoder");
        aac = (AppSrc) pipeline.getElementByName("aac");
        opus = (AppSink) pipeline.getElementByName("opus");
        opus.connect((AppSink.NEW_SAMPLE) sink -> {
            Sample sample = sink.pullSample();
            try {
                Buffer b = sample.getBuffer();
                ByteBuffer mapped = b.map(false);
                byte[] data = new byte[mapped.remaining()];
                mapped.get(data);
                b.unmap();
                packets.accept(data);
            } catch (RuntimeException e) {
                // One lost packet is a click; a throw here would stop the appsink for good.
            } finally {
                sample.dispose();
            }
            return FlowReturn.OK;
        });
        pipeline.play();
    }

    void push(byte[] adts) {
        Buffer b = new Buffer(adts.length);
        b.map(true).put(adts);
        b.unmap();
        aac.pushBuffer(b);
    }

    @Override
    public void close() {
        pipeline.stop();
        pipeline.dispose();
    }
}
