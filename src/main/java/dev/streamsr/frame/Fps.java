package dev.streamsr.frame;

/**
 * A frame rate as GStreamer and the record contract write it, {@code num/den}; {@link #UNKNOWN}
 * ({@code 0/1}) when the source does not say, as GStreamer does for variable rates.
 */
public record Fps(int num, int den) {
    public static final Fps UNKNOWN = new Fps(0, 1);

    public Fps {
        if (num < 0 || den <= 0) {
            throw new IllegalArgumentException("frame rate " + num + "/" + den + ": numerator must be >= 0 and denominator > 0");
        }
    }

    /** {@code 30000/1001} or {@code 25}; anything else is refused with the text in the message. */
    public static Fps parse(String text) {
        if (text != null) {
            int slash = text.indexOf('/');
            try {
                return slash < 0 ? new Fps(Integer.parseInt(text.strip()), 1)
                        : new Fps(Integer.parseInt(text.substring(0, slash).strip()), Integer.parseInt(text.substring(slash + 1).strip()));
            } catch (IllegalArgumentException e) {
                // falls through to the one message below
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a frame rate: use num/den, such as 30/1 or 30000/1001");
    }

    public boolean known() {
        return num > 0;
    }

    public double perSecond() {
        return (double) num / den;
    }

    /** Nanoseconds a frame lasts, or {@code fallback} when the rate is unknown. */
    public long frameNanos(long fallback) {
        return known() ? Math.round(1e9 * den / num) : fallback;
    }

    @Override
    public String toString() {
        return num + "/" + den;
    }
}
