package dev.streamsr.media;

import java.util.Optional;

/** The RFC 6381 codec string of H.264 video ({@code avc1.PPCCLL}), read from the SPS of a key frame. */
public final class H264Codecs {
    private static final int SPS = 7;

    private H264Codecs() {
    }

    /** From an Annex B access unit: the first SPS's profile, constraint flags and level; empty without an SPS. */
    public static Optional<String> of(byte[] accessUnit) {
        for (int i = 0; i + 6 < accessUnit.length; i++) {
            boolean startCode = accessUnit[i] == 0 && accessUnit[i + 1] == 0 && accessUnit[i + 2] == 1;
            if (startCode && (accessUnit[i + 3] & 0x1f) == SPS) {
                return Optional.of(String.format("avc1.%02X%02X%02X", accessUnit[i + 4] & 0xff, accessUnit[i + 5] & 0xff, accessUnit[i + 6] & 0xff));
            }
        }
        return Optional.empty();
    }
}
