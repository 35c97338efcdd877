package dev.streamsr.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A registered stream as the API and the {@code streamsr.streams} topic carry it:
 * {@code {"id": "lobby", "uri": "rtsp://cam/1", "maxInputSize": "640x360", "enabled": true}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamSpec(String id, String uri, String maxInputSize, Boolean enabled) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean isEnabled() {
        return enabled == null || enabled;
    }

    /**
     * Checks the id, the URI and the size; {@code file:} sources must lie under one of
     * {@code fileRoots} (an API must not let a caller read any file on the host).
     */
    public StreamSpec validate(List<Path> fileRoots) {
        StreamId stream = StreamId.of(id);
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("stream " + id + ": uri is required");
        }
        if (!uri.contains("://")) {
            throw new IllegalArgumentException("stream " + id + ": uri must be a URI (rtsp://, srt://, udp://, http(s)://, rtmp://, file://, test://), got " + uri);
        }
        Source source = Source.parse(stream, uri, false);
        if (source.kind() == SourceKind.FILE) {
            Path file = Path.of(source.uri()).toAbsolutePath().normalize();
            if (fileRoots.stream().noneMatch(root -> file.startsWith(root.toAbsolutePath().normalize()))) {
                throw new IllegalArgumentException("stream " + id + ": " + file + " is outside the allowed directories " + fileRoots
                        + " (--allow-files)");
            }
        }
        if (maxInputSize != null && !maxInputSize.isBlank()) {
            FrameSize.parse(maxInputSize);
        }
        return this;
    }

    /** The same stream with defaults spelled out, so two specs that mean the same compare equal. */
    public StreamSpec normalized() {
        return new StreamSpec(id, uri, maxInputSize == null || maxInputSize.isBlank() ? null : maxInputSize, isEnabled());
    }

    public FrameSize maxInput() {
        return maxInputSize == null || maxInputSize.isBlank() ? null : FrameSize.parse(maxInputSize);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static StreamSpec fromJson(byte[] json) {
        try {
            return JSON.readValue(json, StreamSpec.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a stream: " + e.getMessage());
        }
    }
}
