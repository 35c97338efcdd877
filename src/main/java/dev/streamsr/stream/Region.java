package dev.streamsr.stream;

import java.util.Locale;

/**
 * The part of a camera's picture a stream upscales: {@code x,y,w,h} as fractions of the source's
 * width and height, so a region survives a change of the camera's resolution and can be checked
 * before the source is even opened. In pixels it is cropped at even offsets and sizes.
 */
public record Region(double x, double y, double w, double h) {
    /** A region must keep at least this fraction of each side: below it there is nothing left to upscale. */
    public static final double MIN_FRACTION = 0.02;
    /** Nor fewer pixels than this on either side, once the source's size is known. */
    public static final int MIN_PIXELS = 16;
    private static final double SLACK = 1e-9;

    public Region {
        if (!(x >= 0 && y >= 0 && w > 0 && h > 0)) {
            throw new IllegalArgumentException("region " + text(x, y, w, h) + ": x and y must be at least 0, w and h above 0");
        }
        if (x + w > 1 + SLACK || y + h > 1 + SLACK) {
            throw new IllegalArgumentException("region " + text(x, y, w, h) + " is outside the frame: x + w and y + h must be at most 1");
        }
        if (w < MIN_FRACTION || h < MIN_FRACTION) {
            throw new IllegalArgumentException("region " + text(x, y, w, h) + " is too small: w and h must be at least " + MIN_FRACTION);
        }
    }

    /** {@code "0.25,0.1,0.5,0.5"}: fractions of the frame, x and y from the top left. */
    public static Region parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("region '" + text + "' must be x,y,w,h as fractions of the frame, such as 0.25,0.1,0.5,0.5");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("region '" + text + "': '" + parts[i].strip() + "' is not a number");
            }
        }
        return new Region(v[0], v[1], v[2], v[3]);
    }

    /** Pixels to crop from each side of a {@code width} x {@code height} frame; even, as the raw formats need. */
    public Crop crop(int width, int height) {
        int left = even(x * width);
        int top = even(y * height);
        int cw = Math.min(width - left, Math.max(2, even(w * width)));
        int ch = Math.min(height - top, Math.max(2, even(h * height)));
        if (cw < MIN_PIXELS || ch < MIN_PIXELS) {
            throw new IllegalArgumentException("region " + this + " of a " + width + "x" + height + " frame is " + cw + "x" + ch
                    + " pixels; at least " + MIN_PIXELS + "x" + MIN_PIXELS + " are needed");
        }
        return new Crop(left, top, width - left - cw, height - top - ch);
    }

    /** Margins in pixels, as GStreamer's videocrop takes them. */
    public record Crop(int left, int top, int right, int bottom) {
    }

    private static int even(double pixels) {
        return (int) Math.round(pixels / 2) * 2;
    }

    private static String text(double x, double y, double w, double h) {
        return String.format(Locale.ROOT, "%s,%s,%s,%s", num(x), num(y), num(w), num(h));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public String toString() {
        return text(x, y, w, h);
    }
}
