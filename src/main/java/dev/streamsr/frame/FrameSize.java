package dev.streamsr.frame;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A frame size in pixels, parsed from and printed as {@code WIDTHxHEIGHT}. */
public record FrameSize(int width, int height) {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    public FrameSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
        }
    }

    public static FrameSize parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("frame size must look like 1280x720, got '" + text + "'");
        }
        return new FrameSize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public long pixels() {
        return (long) width * height;
    }

    public FrameSize scaled(int factor) {
        return new FrameSize(width * factor, height * factor);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
