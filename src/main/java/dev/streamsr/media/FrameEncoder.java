package dev.streamsr.media;

import dev.streamsr.frame.Frame;
import java.nio.ByteBuffer;

/**
 * One stream's raw frames to H.264 at their own size: the {@link H264Encoder} is started again
 * when the size or format changes (a camera that changed resolution, a region moved). Not
 * thread-safe: it belongs to one stream on one thread.
 */
public final class FrameEncoder implements AutoCloseable {
    private final EncoderSettings settings;
    private H264Encoder encoder;
    private boolean keyframeWanted;

    public FrameEncoder(EncoderSettings settings) {
        this.settings = settings;
    }

    /** Encodes a raw frame; its access unit comes back at once. */
    public AccessUnit encode(Frame frame) {
        if (encoder != null && (encoder.width() != frame.width() || encoder.height() != frame.height() || encoder.format() != frame.format())) {
            encoder.close();
            encoder = null;
        }
        if (encoder == null) {
            encoder = new H264Encoder(frame.format(), frame.width(), frame.height(), frame.fps(), settings);
            keyframeWanted = false; // a new encoder starts with one
        }
        if (keyframeWanted) {
            keyframeWanted = false;
            encoder.forceKeyframe();
        }
        return encoder.encode(ByteBuffer.wrap(frame.payload()), frame.ptsNanos());
    }

    /** Makes the next frame encoded a key frame. */
    public void forceKeyframe() {
        keyframeWanted = true;
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
