package dev.streamsr.engine;

import java.util.Locale;

/** The engine backends; {@code auto} is resolved to one of the others by {@link EngineSelection}. */
public enum Backend {
    AUTO, TENSORRT, ONNXRUNTIME;

    public static Backend parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EngineException("unknown engine backend '" + s + "' (auto, tensorrt, onnxruntime)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
