package dev.streamsr.upscale;

import java.nio.ByteBuffer;

/**
 * What the upscaler remembers of a stream between frames: the previous LR frame and the latent
 * the engine returned for it. Kept by the processor between frames; serialised into the
 * {@code latent-cache} store (one value per stream) only with {@code --state changelog}, for failover.
 */
public record History(int width, int height, long seq, byte[] prevLr, byte[] latent) {
    private static final int MAGIC = 0x53524831; // "SRH1"
    private static final int HEADER = 4 + 4 + 4 + 8 + 4 + 4;

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(HEADER + prevLr.length + latent.length);
        b.putInt(MAGIC).putInt(width).putInt(height).putLong(seq).putInt(prevLr.length).putInt(latent.length);
        b.put(prevLr).put(latent);
        return b.array();
    }

    /** Null for bytes that are not a history (an older format): the stream then starts fresh. */
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
        int lrLen = b.getInt();
        int latentLen = b.getInt();
        if (lrLen < 0 || latentLen < 0 || b.remaining() != lrLen + latentLen) {
            return null;
        }
        byte[] lr = new byte[lrLen];
        byte[] latent = new byte[latentLen];
        b.get(lr).get(latent);
        return new History(w, h, seq, lr, latent);
    }
}
