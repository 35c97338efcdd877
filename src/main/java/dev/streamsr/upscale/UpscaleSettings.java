package dev.streamsr.upscale;

import dev.streamsr.media.EncoderSettings;
import java.time.Duration;

/**
 * How the upscale role runs. {@code changelogState} backs the latent cache with a changelog topic
 * so an instance that takes over a stream continues with its history.
 */
public record UpscaleSettings(
        String applicationId,
        boolean changelogState,
        boolean exactlyOnce,
        int streamThreads,
        Duration commitInterval,
        EncoderSettings encoder) {

    public static UpscaleSettings defaults() {
        return new UpscaleSettings("streamsr-upscale", false, true, 1, Duration.ofMillis(100), EncoderSettings.defaults());
    }

    public UpscaleSettings withChangelog(boolean changelog) {
        return new UpscaleSettings(applicationId, changelog, exactlyOnce, streamThreads, commitInterval, encoder);
    }

    public UpscaleSettings withEncoder(EncoderSettings e) {
        return new UpscaleSettings(applicationId, changelogState, exactlyOnce, streamThreads, commitInterval, e);
    }
}
