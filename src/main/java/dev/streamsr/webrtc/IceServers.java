package dev.streamsr.webrtc;

import java.net.URI;
import org.freedesktop.gstreamer.webrtc.WebRTCBin;

/**
 * STUN and TURN servers for viewers outside the LAN. Neither is needed on a LAN: host candidates
 * connect there. A TURN URI carries credentials, so it is never shown as it is.
 */
public record IceServers(String stun, String turn) {
    public IceServers {
        check(stun, "stun://", "--webrtc-stun");
        check(turn, "turn://", "--webrtc-turn");
        if (turn != null && URI.create(turn.replace("turns://", "turn://")).getUserInfo() == null) {
            throw new IllegalArgumentException("--webrtc-turn needs credentials: turn://USER:PASSWORD@HOST:PORT");
        }
    }

    public static IceServers none() {
        return new IceServers(null, null);
    }

    void applyTo(WebRTCBin rtc) {
        if (stun != null) {
            rtc.setStunServer(stun);
        }
        if (turn != null) {
            rtc.setTurnServer(turn);
        }
    }

    private static void check(String uri, String scheme, String option) {
        if (uri == null) {
            return;
        }
        boolean ok = uri.startsWith(scheme) || (scheme.equals("turn://") && uri.startsWith("turns://"));
        if (!ok || !uri.substring(uri.indexOf("://") + 3).matches("([^@/\\s]+@)?[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}")) {
            throw new IllegalArgumentException(option + " must look like " + scheme + "HOST:PORT" + (scheme.equals("turn://") ? " (with USER:PASSWORD@)" : ""));
        }
    }

    @Override
    public String toString() {
        return "IceServers[stun=" + stun + ", turn=" + (turn == null ? null : turn.replaceAll("//[^@]*@", "//***@")) + "]";
    }
}
