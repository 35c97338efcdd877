package dev.streamsr.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What an ingest instance says about one stream's source, on the compacted {@code streamsr.status}
 * topic (JSON, keyed by stream id), so that {@code /streams} in another process can show a camera
 * that is reconnecting. The source URI is left out: it may carry credentials.
 */
public record SourceStatus(String stream, String state, String error, long frames, long updatedMs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SourceStatus fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, SourceStatus.class);
    }
}
