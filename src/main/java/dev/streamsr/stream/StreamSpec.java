package dev.streamsr.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.Tuning;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A registered stream as the API and the {@code streamsr.streams} topic carry it:
 * {@code {"id": "lobby", "uri": "rtsp://cam/1", "maxInputSize": "640x360", "enabled": true}}, and
 * optionally {@code "region": "0.5,0.25,0.25,0.5"}: the part of the picture to upscale ({@link Region}),
 * and {@code "output": "srt://nvr:9000"}: where the packager also pushes the upscaled rendition
 * (SRT, RTMP or RTSP RECORD; see {@link #OUTPUT_SCHEMES}), and {@code "model": "camera"}: the model
 * tuned for the kind of picture the source carries ({@link Tuning}), or {@code auto} (the default
 * model; see {@link #tuning()}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamSpec(String id, String uri, String maxInputSize, Boolean enabled, String region, String output, String model) {
    public StreamSpec(String id, String uri, String maxInputSize, Boolean enabled) {
        this(id, uri, maxInputSize, enabled, null, null, null);
    }

    public StreamSpec(String id, String uri, String maxInputSize, Boolean enabled, String region, String output) {
        this(id, uri, maxInputSize, enabled, region, output, null);
    }

    public StreamSpec(String id, String uri, String maxInputSize, Boolean enabled, String region) {
        this(id, uri, maxInputSize, enabled, region, null, null);
    }

    /** The restream targets the packager can push to. */
    public static final java.util.Set<String> OUTPUT_SCHEMES = java.util.Set.of("srt", "rtmp", "rtmps", "rtsp", "rtsps");

    /** Checks a restream target; returns its scheme. */
    public static String checkOutput(String output) {
        String scheme;
        try {
            scheme = java.net.URI.create(output).getScheme();
        } catch (IllegalArgumentException e) {
            scheme = null;
        }
        if (scheme == null || !OUTPUT_SCHEMES.contains(scheme) || output.length() > MAX_URI_CHARS) {
            throw new IllegalArgumentException("output " + Credentials.mask(output) + ": srt://, rtmp:// or rtsp:// expected");
        }
        return scheme;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer URIs are refused: no camera needs more, and every listing and log line would carry them. */
    public static final int MAX_URI_CHARS = 4096;

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
        if (uri.length() > MAX_URI_CHARS) {
            throw new IllegalArgumentException("stream " + id + ": uri is " + uri.length() + " characters; at most " + MAX_URI_CHARS
                    + " are accepted");
        }
        if (!uri.contains("://")) {
            throw new IllegalArgumentException("stream " + id + ": uri must be a URI (rtsp://, srt://, udp://, http(s)://, rtmp://, file://, test://), got "
                    + Credentials.mask(uri));
        }
        Source source;
        try {
            source = Source.parse(stream, uri, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(Credentials.mask(e.getMessage()));
        }
        if (source.kind() == SourceKind.FILE) {
            // Real paths on both sides: a symlink inside an allowed directory must not lead out of it.
            Path file = realPath(Path.of(source.uri()));
            if (fileRoots.stream().noneMatch(root -> file.startsWith(realPath(root)))) {
                throw new IllegalArgumentException("stream " + id + ": " + file + " is outside the allowed directories " + fileRoots
                        + " (--allow-files)");
            }
        }
        if (maxInputSize != null && !maxInputSize.isBlank()) {
            if (maxInputSize.length() > 16) {
                throw new IllegalArgumentException("stream " + id + ": maxInputSize must look like 640x360");
            }
            FrameSize.parse(maxInputSize);
        }
        if (region != null && !region.isBlank()) {
            if (region.length() > 64) {
                throw new IllegalArgumentException("stream " + id + ": region must look like 0.25,0.1,0.5,0.5");
            }
            try {
                Region.parse(region);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stream " + id + ": " + e.getMessage());
            }
        }
        if (!isAutoModel()) {
            try {
                Tuning.parse(model);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stream " + id + ": " + e.getMessage());
            }
        }
        if (output != null && !output.isBlank()) {
            try {
                checkOutput(output);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stream " + id + ": " + e.getMessage());
            }
        }
        return this;
    }

    /** The same stream with credentials in its URI masked: what anyone without the API token sees. */
    public StreamSpec masked() {
        return new StreamSpec(id, Credentials.mask(uri), maxInputSize, enabled, region, maskedOutput(), model);
    }

    /**
     * The output without what may be secret: credentials, and the path, where RTMP carries the
     * stream key and RTSP often a token.
     */
    private String maskedOutput() {
        if (output == null || output.isBlank()) {
            return output;
        }
        try {
            java.net.URI u = java.net.URI.create(output);
            String host = u.getHost() == null ? "" : u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
            boolean more = (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) || u.getRawQuery() != null
                    || u.getRawUserInfo() != null;
            return u.getScheme() + "://" + host + (more ? "/" + Credentials.MASK : "");
        } catch (IllegalArgumentException e) {
            return Credentials.MASK;
        }
    }

    /**
     * {@code path} with every symlink resolved; for a path that does not exist (yet), its nearest
     * existing ancestor is resolved and the rest appended.
     */
    static Path realPath(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }

    /** The same stream with defaults spelled out, so two specs that mean the same compare equal. */
    public StreamSpec normalized() {
        return new StreamSpec(id, uri, maxInputSize == null || maxInputSize.isBlank() ? null : maxInputSize, isEnabled(),
                region == null || region.isBlank() ? null : Region.parse(region).toString(), output == null || output.isBlank() ? null : output,
                isAutoModel() ? null : model);
    }

    private boolean isAutoModel() {
        return model == null || model.isBlank() || model.equals("auto");
    }

    /**
     * The model this stream asks for; null under {@code auto}: the default, trained on both kinds of
     * picture. {@code auto} does not guess from the source's kind: an RTSP camera may well send a
     * clean picture, and a model tuned for one kind loses far more on the other than it gains on its
     * own (models/README.md).
     */
    public Tuning tuning() {
        return isAutoModel() ? null : Tuning.parse(model);
    }

    /** The same stream with another model choice (null: auto). */
    public StreamSpec withModel(String newModel) {
        return new StreamSpec(id, uri, maxInputSize, enabled, region, output, newModel);
    }

    /** The part of the picture to upscale, or null for all of it. */
    public Region roi() {
        return region == null || region.isBlank() ? null : Region.parse(region);
    }

    /** The same stream with another region (null: the whole picture). */
    public StreamSpec withRegion(String newRegion) {
        return new StreamSpec(id, uri, maxInputSize, enabled, newRegion, output, model);
    }

    /** The same stream pushed to another target (null: none). */
    public StreamSpec withOutput(String newOutput) {
        return new StreamSpec(id, uri, maxInputSize, enabled, region, newOutput, model);
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
