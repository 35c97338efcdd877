package dev.streamsr.media;

import dev.streamsr.frame.FrameFormat;
import java.nio.ByteBuffer;

/**
 * Copies a mapped GStreamer video buffer into a tightly packed array. GStreamer pads every row
 * to 4 bytes by default, so an RGB frame whose width is not a multiple of 4 (or an I420 frame
 * whose width is not a multiple of 8) carries padding; rows are copied with bulk copies, never
 * pixel by pixel.
 */
public final class RawFrames {
    private RawFrames() {
    }

    public static byte[] copyTight(ByteBuffer mapped, FrameFormat format, int width, int height) {
        int tight = (int) format.payloadBytes(width, height);
        byte[] out = new byte[tight];
        if (mapped.remaining() == tight) {
            mapped.get(out);
            return out;
        }
        int base = mapped.position();
        switch (format) {
            case RGB -> copyPlane(mapped, base, roundUp4(width * 3), out, 0, width * 3, height);
            case I420 -> {
                int cw = (width + 1) / 2;
                int ch = (height + 1) / 2;
                int ys = roundUp4(width);
                int cs = roundUp4(cw);
                int uOff = ys * height;
                int vOff = uOff + cs * ch;
                copyPlane(mapped, base, ys, out, 0, width, height);
                copyPlane(mapped, base + uOff, cs, out, width * height, cw, ch);
                copyPlane(mapped, base + vOff, cs, out, width * height + cw * ch, cw, ch);
            }
            default -> throw new IllegalArgumentException(format + " is not raw video");
        }
        return out;
    }

    /** Bytes of a frame laid out with GStreamer's default strides: every row of every plane padded to 4 bytes. */
    public static int paddedSize(FrameFormat format, int width, int height) {
        return switch (format) {
            case RGB -> roundUp4(width * 3) * height;
            case I420 -> roundUp4(width) * height + 2 * roundUp4((width + 1) / 2) * ((height + 1) / 2);
            default -> throw new IllegalArgumentException(format + " is not raw video");
        };
    }

    private static void copyPlane(ByteBuffer src, int srcOffset, int srcStride, byte[] dst, int dstOffset, int rowBytes, int rows) {
        if (src.limit() < srcOffset + (long) srcStride * (rows - 1) + rowBytes) {
            throw new IllegalArgumentException("video buffer is smaller than its caps say");
        }
        for (int r = 0; r < rows; r++) {
            src.get(srcOffset + r * srcStride, dst, dstOffset + r * rowBytes, rowBytes);
        }
    }

    static int roundUp4(int n) {
        return (n + 3) & ~3;
    }
}
