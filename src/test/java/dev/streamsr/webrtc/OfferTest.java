package dev.streamsr.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OfferTest {
    /** The media sections of a Chromium recvonly offer, trimmed to what matters: several H.264 profiles, RTX, Opus. */
    private static final String CHROMIUM = String.join("\r\n",
            "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107", "c=IN IP4 0.0.0.0", "a=mid:0", "a=recvonly",
            "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=rtpmap:102 H264/90000", "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
            "a=rtpmap:103 rtx/90000", "a=fmtp:103 apt=102",
            "a=rtpmap:104 H264/90000", "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
            "a=rtpmap:106 H264/90000", "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            "a=rtpmap:107 H264/90000", "a=fmtp:107 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640034",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63", "c=IN IP4 0.0.0.0", "a=mid:1", "a=recvonly",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:63 red/48000/2", "");

    @Test
    void picksConstrainedBaselineInPacketizationModeOneAndOpus() {
        Offer offer = Offer.parse(CHROMIUM);
        assertEquals(106, offer.videoPayload(), "42e01f with packetization-mode=1; 104 is the same profile in mode 0");
        assertTrue(offer.videoFmtp().contains("profile-level-id=42e01f"));
        assertEquals(111, offer.audioPayload());
        assertTrue(offer.hasAudio());
    }

    @Test
    void takesAnyModeOneProfileWhenBaselineIsMissingAndNeedsNoAudio() {
        String highOnly = String.join("\r\n", "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 107", "a=rtpmap:107 H264/90000",
                "a=fmtp:107 packetization-mode=1;profile-level-id=640034", "");
        Offer offer = Offer.parse(highOnly);
        assertEquals(107, offer.videoPayload());
        assertFalse(offer.hasAudio());
    }

    @Test
    void refusesWhatCannotBeAnsweredWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Offer.parse("")).getMessage().contains("SDP offer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Offer.parse("hello")).getMessage().contains("v=0"));
        String vp8 = String.join("\r\n", "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8/90000", "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Offer.parse(vp8)).getMessage().contains("no H.264"));
        String modeZero = String.join("\r\n", "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 104", "a=rtpmap:104 H264/90000",
                "a=fmtp:104 packetization-mode=0;profile-level-id=42e01f", "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Offer.parse(modeZero)).getMessage().contains("packetization-mode=1"));
        // An audio section's H.264-looking line is not video.
        String audioOnly = String.join("\r\n", "v=0", "m=audio 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 H264/90000",
                "a=fmtp:96 packetization-mode=1", "");
        assertThrows(IllegalArgumentException.class, () -> Offer.parse(audioOnly));
    }
}
