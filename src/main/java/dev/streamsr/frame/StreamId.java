package dev.streamsr.frame;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The id of one video stream: the Kafka key of every record that belongs to it. */
public record StreamId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public StreamId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid stream id '" + value
                    + "': use 1 to 64 characters from A-Z a-z 0-9 . _ -");
        }
        // Roles turn ids into directory names: "." and ".." would name the HLS root or its parent.
        if (value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("invalid stream id '" + value + "': '.' and '..' are not stream ids");
        }
    }

    public static StreamId of(String value) {
        return new StreamId(value);
    }

    /** Parses a Kafka key; throws IllegalArgumentException with a readable reason. */
    public static StreamId fromKey(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("record has no key (stream id)");
        }
        return new StreamId(new String(key, StandardCharsets.UTF_8));
    }

    public byte[] toKey() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return value;
    }
}
