package dev.streamsr.cli;

import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.kafka.FrameLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the ingest role, shared by {@code ingest} and {@code demo}. */
public final class IngestOptions {
    @Option(names = "--stream", paramLabel = "ID=URI", split = ";",
            description = {"A stream to ingest, repeatable: id=file.mp4, id=rtsp://cam/1, id=srt://host:port, id=udp://127.0.0.1:5000, "
                    + "id=https://host/live.m3u8, id=test://ball?size=640x360&fps=30/1.",
                    "In the environment, separate several with ';'."})
    Map<String, String> streams = new java.util.LinkedHashMap<>();

    @Option(names = "--region", paramLabel = "ID=X,Y,W,H", split = ";",
            description = {"Upscale only a part of a --stream's picture: x,y,w,h as fractions of its width and height "
                    + "(door=0.5,0.25,0.25,0.5), cropped before any scaling. In the environment, separate several with ';'."})
    Map<String, String> regions = new java.util.LinkedHashMap<>();

    @Option(names = "--stream-model", paramLabel = "ID=auto|camera|stream", split = ";",
            description = {"The model a --stream's frames ask the upscaler for: camera (tuned for a camera's own picture: blur, sensor noise, its encoder),",
                    "stream (tuned for a live stream encoded for delivery), or auto: the default model, trained on both.",
                    "In the environment, separate several with ';'."})
    Map<String, String> models = new java.util.LinkedHashMap<>();

    @Option(names = "--loop", description = "Loop finite sources (files, test patterns) forever, as if they were live.")
    boolean loop;

    @Option(names = "--max-input-size", converter = FrameSizeConverter.class, paramLabel = "WxH",
            description = "Scale sources down to fit this size (aspect kept, even sides); default: the source size.")
    FrameSize maxInputSize;

    @Option(names = "--format", paramLabel = "RGB|I420", defaultValue = "RGB", description = "Frame format on streamsr.lr: RGB or I420. Default: ${DEFAULT-VALUE}.")
    FrameFormat format;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "-1",
            description = "Reconnect attempts for a live source before it is reported failed; -1 retries forever. Default: ${DEFAULT-VALUE}.")
    int maxRetries;

    @Option(names = "--backoff-initial", paramLabel = "DURATION", defaultValue = "500ms", description = "First reconnect delay (500ms, 30s, 2m or ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration backoffInitial;

    @Option(names = "--backoff-max", paramLabel = "DURATION", defaultValue = "30s", description = "Longest reconnect delay (500ms, 30s, 2m or ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration backoffMax;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "A live source that delivers no frame for this long is reconnected. Default: ${DEFAULT-VALUE}.")
    Duration stallTimeout;

    @Option(names = "--registry",
            description = "Also ingest the streams registered on streamsr.streams (through the API), shared with the other ingest instances of --ingest-group.")
    boolean registry;

    @Option(names = "--ingest-group", paramLabel = "GROUP", defaultValue = "streamsr-ingest",
            description = "Consumer group in which ingest instances share the registered streams. Default: ${DEFAULT-VALUE}.")
    String ingestGroup;

    @Option(names = "--allow-files", split = ",", paramLabel = "DIR",
            description = "Directories a registered file:// source may read from; none by default.")
    List<java.nio.file.Path> allowFiles = new java.util.ArrayList<>();

    @Option(names = "--audio", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Forward the sources' audio (AAC as it is, other codecs encoded to AAC) on streamsr.audio and into the HLS output. Default: ${DEFAULT-VALUE}.")
    boolean audio = true;

    @Option(names = "--live-buffer-frames", paramLabel = "N", defaultValue = "150",
            description = "Frames of a live source held while Kafka is unavailable; beyond that the oldest are dropped and counted "
                    + "(streamsr_frames_dropped_total{reason=\"broker-backlog\"}). Default: ${DEFAULT-VALUE}.")
    int liveBufferFrames;

    public IngestSettings settings(FrameLimits limits) {
        return new IngestSettings(maxInputSize, format, limits, backoffInitial, backoffMax, maxRetries, stallTimeout, audio, liveBufferFrames);
    }

    /** The region of each --stream that has one; an id without a --stream, or a bad region, is refused in one line. */
    public Map<String, dev.streamsr.stream.Region> regions() {
        Map<String, dev.streamsr.stream.Region> out = new java.util.HashMap<>();
        regions.forEach((id, text) -> {
            if (!streams.containsKey(id.trim())) {
                throw new IllegalArgumentException("--region " + id + ": no --stream " + id);
            }
            out.put(id.trim(), dev.streamsr.stream.Region.parse(text.trim()));
        });
        return out;
    }

    /** The model each --stream asks for (null: the upscaler's default); an id without a --stream, or a bad model, is refused in one line. */
    public Map<String, dev.streamsr.frame.Tuning> tunings() {
        Map<String, dev.streamsr.frame.Tuning> out = new java.util.HashMap<>();
        models.forEach((id, model) -> {
            if (!streams.containsKey(id.trim())) {
                throw new IllegalArgumentException("--stream-model " + id + ": no --stream " + id);
            }
            try {
                out.put(id.trim(), model.trim().equals("auto") ? null : dev.streamsr.frame.Tuning.parse(model.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--stream-model " + id + ": " + e.getMessage());
            }
        });
        return out;
    }

    public List<Source> sources() {
        List<Source> out = new ArrayList<>();
        streams.forEach((id, uri) -> out.add(Source.parse(StreamId.of(id.trim()), uri.trim(), loop)));
        return out;
    }
}
