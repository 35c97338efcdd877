package dev.streamsr.engine;

import java.util.Map;

/**
 * What a model file says about itself in its ONNX metadata: the scale, the latent it caches
 * between frames, its name and version, and the metrics of its model card.
 */
public record ModelInfo(String name, String version, int scale, int latentChannels, int latentStride,
                        int latentBytesPerElement, Map<String, String> metadata) {

    public static ModelInfo from(Map<String, String> meta, int latentBytesPerElement) {
        return new ModelInfo(
                meta.getOrDefault("name", "unnamed"),
                meta.getOrDefault("version", "0"),
                intProp(meta, "scale"),
                intProp(meta, "latent_channels"),
                intProp(meta, "latent_stride"),
                latentBytesPerElement,
                Map.copyOf(meta));
    }

    private static int intProp(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("model metadata lacks '" + key + "' (engine contract)");
        }
        return Integer.parseInt(v.trim());
    }

    /** Which weights these are, as far as a latent goes: a latent means something only to the model (name and version) that wrote it. */
    public String id() {
        return name + "@" + version;
    }

    /** Bytes of one frame's latent for an LR frame of this size. */
    public long latentBytes(int height, int width) {
        checkSize(height, width);
        return (long) latentChannels * (height / latentStride) * (width / latentStride) * latentBytesPerElement;
    }

    public void checkSize(int height, int width) {
        if (height % latentStride != 0 || width % latentStride != 0) {
            throw new IllegalArgumentException("model " + name + " needs frame sides divisible by " + latentStride
                    + ", got " + width + "x" + height);
        }
    }
}
