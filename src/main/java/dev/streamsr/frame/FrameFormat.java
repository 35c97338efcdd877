package dev.streamsr.frame;

/** Payload formats of the record contract. */
public enum FrameFormat {
    /** Packed 8-bit RGB, 3 bytes per pixel. */
    RGB,
    /** Planar YUV 4:2:0, 1.5 bytes per pixel (even sizes only). */
    I420,
    /** One H.264 access unit in byte-stream format. */
    H264;

    /** Exact payload size of a raw frame, or -1 for compressed formats whose size varies. */
    public long payloadBytes(int width, int height) {
        return switch (this) {
            case RGB -> 3L * width * height;
            case I420 -> (long) width * height + 2L * ((width + 1) / 2) * ((height + 1) / 2);
            case H264 -> -1;
        };
    }

    public boolean isRaw() {
        return this != H264;
    }

    /** Caps format name GStreamer uses for this raw format. */
    public String gstFormat() {
        if (!isRaw()) {
            throw new IllegalStateException(this + " is not a raw video format");
        }
        return name();
    }
}
