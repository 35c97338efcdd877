package dev.streamsr.packager;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the packager last saw of one rendition, written beside its playlist as
 * {@code status.json} so that the serve role (possibly another process) can report streams and
 * write their multivariant playlist: {@code codecs} as RFC 6381 says them, {@code bandwidth} the
 * peak bit rate of the listed segments.
 */
public record RenditionStatus(String stream, String rendition, String state, int width, int height, String fps,
                              long frames, long updatedMs, String codecs, long bandwidth) {
    public static final String FILE = "status.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public void writeTo(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static RenditionStatus readFrom(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), RenditionStatus.class);
        } catch (IOException e) {
            return null;
        }
    }
}
