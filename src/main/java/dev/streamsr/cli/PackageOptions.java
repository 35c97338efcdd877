package dev.streamsr.cli;

import dev.streamsr.packager.HlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the package and serve roles, shared with {@code demo}. */
public final class PackageOptions {
    @Option(names = "--hls-dir", paramLabel = "DIR", defaultValue = "hls", description = "Root directory of the HLS output. Default: ${DEFAULT-VALUE}.")
    Path hlsDir;

    @Option(names = "--playlist-length", paramLabel = "N", defaultValue = "6",
            description = "Segments in the live playlist; 0 keeps every segment (a complete VOD when the stream ends). Default: ${DEFAULT-VALUE}.")
    int playlistLength;

    @Option(names = "--max-files", paramLabel = "N", defaultValue = "10",
            description = "Segments kept on disk per rendition; 0 never deletes. Default: ${DEFAULT-VALUE}.")
    int maxFiles;

    @Option(names = "--package-group", paramLabel = "GROUP", defaultValue = "streamsr-package", description = "Consumer group of the package role. Default: ${DEFAULT-VALUE}.")
    String groupId;

    /** Fails at start, in one line, when the HLS root cannot be written, instead of at the first segment. */
    public void checkHlsDir() {
        try {
            java.nio.file.Files.createDirectories(hlsDir);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot create --hls-dir " + hlsDir + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (!java.nio.file.Files.isWritable(hlsDir)) {
            throw new IllegalArgumentException("cannot write to --hls-dir " + hlsDir.toAbsolutePath() + ": permission denied for this user");
        }
    }

    @Option(names = "--output", paramLabel = "ID=URI", split = ";",
            description = {"Also push a stream's upscaled rendition, with its audio, to a server: srt://host:port (MPEG-TS; add "
                    + "?mode=listener to wait for a caller) or rtmp://host/app/key. Reconnects with back-off. In the environment, "
                    + "separate several with ';'."})
    java.util.Map<String, String> outputs = new java.util.LinkedHashMap<>();

    public HlsSettings hls(int segmentSeconds) {
        return new HlsSettings(hlsDir, segmentSeconds, playlistLength, maxFiles);
    }
}
