package dev.streamsr.webrtc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a viewer's SDP offer asks for, read before webrtcbin sees it: the payload types the
 * browser gave H.264 (packetization mode 1, constrained baseline preferred, which every browser
 * decodes) and Opus. The payloaders must send with those numbers, or webrtcbin's answer rejects
 * the media.
 */
record Offer(String sdp, int videoPayload, String videoFmtp, int audioPayload) {
    /** Offers are a few kB; a bound keeps a hostile body from costing memory or parse time. */
    static final int MAX_BYTES = 64 * 1024;

    private static final Pattern RTPMAP = Pattern.compile("^a=rtpmap:(\\d{1,3}) ([A-Za-z0-9_.-]+)/(\\d+)(?:/\\d+)?$");
    private static final Pattern FMTP = Pattern.compile("^a=fmtp:(\\d{1,3}) (.*)$");

    boolean hasAudio() {
        return audioPayload >= 0;
    }

    static Offer parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("the request body must be an SDP offer (application/sdp)");
        }
        if (!sdp.startsWith("v=0")) {
            throw new IllegalArgumentException("not an SDP offer: it must start with v=0");
        }
        int video = -1;
        String videoFmtp = "";
        int audio = -1;
        String media = null;
        boolean videoRecv = false;
        Map<Integer, String> codecs = new LinkedHashMap<>();
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("m=")) {
                media = line.substring(2).split(" ", 2)[0];
                codecs.clear();
                continue;
            }
            if (media == null) {
                continue;
            }
            Matcher m = RTPMAP.matcher(line);
            if (m.matches()) {
                codecs.put(Integer.parseInt(m.group(1)), m.group(2).toUpperCase(java.util.Locale.ROOT) + "/" + m.group(3));
                if ("video".equals(media)) {
                    int pt = Integer.parseInt(m.group(1));
                    if (codecs.get(pt).equals("H264/90000")) {
                        videoRecv = true;
                    }
                } else if ("audio".equals(media) && audio < 0 && codecs.get(Integer.parseInt(m.group(1))).equals("OPUS/48000")) {
                    audio = Integer.parseInt(m.group(1));
                }
                continue;
            }
            Matcher f = FMTP.matcher(line);
            if (f.matches() && "video".equals(media)) {
                int pt = Integer.parseInt(f.group(1));
                if ("H264/90000".equals(codecs.get(pt))) {
                    int rank = rank(f.group(2));
                    if (rank > 0 && (video < 0 || rank > rank(videoFmtp))) {
                        video = pt;
                        videoFmtp = f.group(2);
                    }
                }
            }
        }
        if (video < 0) {
            throw new IllegalArgumentException(videoRecv
                    ? "the offer's H.264 needs packetization-mode=1" : "the offer has no H.264 video: StreamSR sends the encoder's H.264 as it is");
        }
        return new Offer(sdp, video, videoFmtp, audio);
    }

    /** 0: unusable; higher is better. */
    private static int rank(String fmtp) {
        if (!fmtp.contains("packetization-mode=1")) {
            return 0;
        }
        if (fmtp.contains("profile-level-id=42e01f")) {
            return 3;
        }
        return fmtp.contains("profile-level-id=42") ? 2 : 1;
    }
}
