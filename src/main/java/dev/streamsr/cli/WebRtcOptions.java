package dev.streamsr.cli;

import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.webrtc.IceServers;
import dev.streamsr.webrtc.LiveFeeds;
import io.micrometer.core.instrument.MeterRegistry;
import picocli.CommandLine.Option;

/** Options of WebRTC viewing (WHEP), for the roles that serve HTTP. */
public final class WebRtcOptions {
    @Option(names = "--webrtc", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Serve WebRTC viewers (WHEP: POST /streams/{id}/whep and /streams/{id}/source/whep). Default: ${DEFAULT-VALUE}.")
    boolean enabled = true;

    @Option(names = "--webrtc-stun", paramLabel = "stun://HOST:PORT",
            description = "STUN server for viewers behind NAT; none by default (host candidates work on a LAN).")
    String stun;

    @Option(names = "--webrtc-turn", paramLabel = "turn://USER:PASSWORD@HOST:PORT",
            description = "TURN relay for viewers no direct path reaches (set STREAMSR_WEBRTC_TURN rather than the command line).")
    String turn;

    @Option(names = "--webrtc-max-viewers", paramLabel = "N", defaultValue = "32",
            description = "WebRTC viewers this process sends to at most; one more gets 503. Default: ${DEFAULT-VALUE}.")
    int maxViewers = 32;

    LiveFeeds feeds(KafkaSettings kafka, double segmentSeconds, MeterRegistry registry) {
        if (maxViewers < 1) {
            throw new IllegalArgumentException("--webrtc-max-viewers must be at least 1, got " + maxViewers);
        }
        // The source rendition's viewers get their own encode, at the packager's settings for it.
        EncoderSettings source = new EncoderSettings("ultrafast", 21, 1, segmentSeconds);
        return new LiveFeeds(kafka, Topics.defaults(), source, new IceServers(stun, turn), maxViewers, registry);
    }
}
