package dev.streamsr.stream;

import java.util.regex.Pattern;

/**
 * Masks credentials in source URIs, and in any text that may quote one (GStreamer errors, log
 * lines, exception messages): the password of a URI's user info and the values of query
 * parameters whose names look secret. Cameras and CDN ingests put credentials in both places.
 */
public final class Credentials {
    public static final String MASK = "***";
    /** {@code scheme://user:password@} or {@code scheme://token@}. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/?#@\\s\"']+)@");
    /** {@code ?token=…}, {@code &passphrase=…}, {@code ;X-Amz-Signature=…} and the like. */
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "(?i)([?&;][a-z0-9_.-]*(?:token|key|secret|pass|pwd|auth|sig|credential|session)[a-z0-9_.-]*=)([^&#\\s\"')\\]>]+)");

    private Credentials() {
    }

    /** {@code text} with every credential-like part of every URI in it replaced by {@value #MASK}. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = USER_INFO.matcher(text).replaceAll(m -> {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String kept = colon >= 0 ? info.substring(0, colon) + ":" + MASK : MASK;
            return java.util.regex.Matcher.quoteReplacement(m.group(1) + kept + "@");
        });
        return SECRET_QUERY.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + MASK));
    }

    /** True when {@link #mask} would change the text: the URI carries credentials. */
    public static boolean present(String text) {
        return text != null && !text.equals(mask(text));
    }
}
