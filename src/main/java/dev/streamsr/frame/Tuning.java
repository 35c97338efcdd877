package dev.streamsr.frame;

import java.util.Arrays;
import java.util.Locale;

/**
 * The kind of picture a stream carries, which picks the model tuned for it: a camera's own picture
 * (optics blur, sensor noise, the camera's encoder) or a live stream (a clean picture area-downscaled
 * and re-encoded on its way). One network trained on both is pulled two ways; a model tuned for
 * each does better on its own kind. Travels with every frame in the {@code streamsr.model} header.
 */
public enum Tuning {
    CAMERA, STREAM;

    /** The name in the stream spec, the header and the model's file name. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tuning named {@code id}; IllegalArgumentException naming the choices otherwise. */
    public static Tuning parse(String id) {
        for (Tuning t : values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("model must be auto, " + String.join(" or ", Arrays.stream(values()).map(Tuning::id).toList())
                + ", got '" + (id != null && id.length() > 32 ? id.substring(0, 32) + "..." : id) + "'");
    }
}
