package dev.streamsr.media;

/** Frame rates as GStreamer and the record contract write them: {@code num/den}. */
public final class Fps {
    private Fps() {
    }

    /** Frames per second, or 0 when unknown ({@code 0/1}) or malformed. */
    public static double parse(String fps) {
        if (fps == null) {
            return 0;
        }
        int slash = fps.indexOf('/');
        try {
            if (slash < 0) {
                return Double.parseDouble(fps);
            }
            double num = Double.parseDouble(fps.substring(0, slash));
            double den = Double.parseDouble(fps.substring(slash + 1));
            return den == 0 ? 0 : num / den;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
