package dev.streamsr.upscale;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the upscaler remembers of a stream between frames: the previous LR frame, the latent the
 * engine returned for it, and which model ({@link dev.streamsr.engine.ModelInfo#id()}) wrote that
 * latent. Kept by the processor between frames; serialised into the {@code latent-cache} store (one
 * value per stream) only with {@code --state changelog}, for failover.
 */
public record History(int width, int height, long seq, String model, byte[] prevLr, byte[] latent) {
    // "SRH2": version 1 did not say which model wrote the latent, so an instance that took over a
    // stream on another model (or a newer version of it) ran one frame on a latent foreign to it.
    private static final int MAGIC = 0x53524832;
    private static final int HEADER = 4 + 4 + 4 + 8 + 4 + 4 + 4;

    public byte[] toBytes() {
        byte[] id = model.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER + id.length + prevLr.length + latent.length);
        b.putInt(MAGIC).putInt(width).putInt(height).putLong(seq).putInt(id.length).putInt(prevLr.length).putInt(latent.length);
        b.put(id).put(prevLr).put(latent);
        return b.array();
    }

    /** Null for bytes that are not a history (an older format among them): the stream then starts fresh. */
    public static History fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) {
            return null;
        }
        int w = b.getInt();
        int h = b.getInt();
        long seq = b.getLong();
        int idLen = b.getInt();
        int lrLen = b.getInt();
        int latentLen = b.getInt();
        if (idLen < 0 || lrLen < 0 || latentLen < 0 || b.remaining() != (long) idLen + lrLen + latentLen) {
            return null;
        }
        byte[] id = new byte[idLen];
        byte[] lr = new byte[lrLen];
        byte[] latent = new byte[latentLen];
        b.get(id).get(lr).get(latent);
        return new History(w, h, seq, new String(id, StandardCharsets.UTF_8), lr, latent);
    }
}
