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
        EncoderSettings encoder,
        int maxBatch,
        Duration batchWindow,
        Duration maxLag) {

    public UpscaleSettings(String applicationId, boolean changelogState, boolean exactlyOnce, int streamThreads,
                           Duration commitInterval, EncoderSettings encoder, int maxBatch, Duration batchWindow) {
        this(applicationId, changelogState, exactlyOnce, streamThreads, commitInterval, encoder, maxBatch, batchWindow, Duration.ZERO);
    }

    public UpscaleSettings withMaxLag(Duration lag) {
        return new UpscaleSettings(applicationId, changelogState, exactlyOnce, streamThreads, commitInterval, encoder, maxBatch, batchWindow, lag);
    }

    /** Without cross-stream batching. */
    public UpscaleSettings(String applicationId, boolean changelogState, boolean exactlyOnce, int streamThreads,
                           Duration commitInterval, EncoderSettings encoder) {
        this(applicationId, changelogState, exactlyOnce, streamThreads, commitInterval, encoder, 1, Duration.ZERO);
    }

    /** Batching needs several stream threads to submit frames at once, a batch above 1 and a window. */
    public boolean batching() {
        return maxBatch > 1 && streamThreads > 1 && !batchWindow.isZero();
    }

    public static UpscaleSettings defaults() {
        return new UpscaleSettings("streamsr-upscale", false, true, 1, Duration.ofMillis(100), EncoderSettings.defaults());
    }

    public UpscaleSettings withChangelog(boolean changelog) {
        return new UpscaleSettings(applicationId, changelog, exactlyOnce, streamThreads, commitInterval, encoder, maxBatch, batchWindow, maxLag);
    }

    public UpscaleSettings withEncoder(EncoderSettings e) {
        return new UpscaleSettings(applicationId, changelogState, exactlyOnce, streamThreads, commitInterval, e, maxBatch, batchWindow, maxLag);
    }
}
