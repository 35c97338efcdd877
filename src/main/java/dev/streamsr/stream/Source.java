package dev.streamsr.stream;

import dev.streamsr.frame.StreamId;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One stream to ingest: its id, where it comes from, and whether a finite source (a file) should
 * loop forever as if it were live.
 */
public record Source(StreamId stream, URI uri, SourceKind kind, boolean loop) {

    /** Accepts a URI ({@code file:}, {@code test:}, {@code rtsp:}, {@code srt:}, {@code udp:}, {@code rtmp(s):}, {@code http(s):}) or a plain path. */
    public static Source parse(StreamId stream, String text, boolean loop) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("stream " + stream + ": empty source");
        }
        URI uri;
        try {
            uri = text.contains("://") ? new URI(text) : Path.of(text).toAbsolutePath().normalize().toUri();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("stream " + stream + ": source is not a valid URI: " + Credentials.mask(e.getMessage()));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        SourceKind kind = switch (scheme) {
            case "file" -> SourceKind.FILE;
            case "test" -> SourceKind.TEST;
            case "rtsp", "rtsps", "rtspt" -> SourceKind.RTSP;
            case "srt" -> SourceKind.SRT;
            case "udp" -> SourceKind.UDP;
            case "http", "https" -> SourceKind.HLS;
            case "rtmp", "rtmps" -> SourceKind.RTMP;
            default -> throw new IllegalArgumentException("stream " + stream + ": unsupported source scheme '" + scheme
                    + "' (use file, test, rtsp, srt, udp, rtmp, http or https)");
        };
        return new Source(stream, uri, kind, loop);
    }

    /** The URI as it may be shown or logged: credentials masked. */
    public String display() {
        return Credentials.mask(uri.toString());
    }

    @Override
    public String toString() {
        return stream + "=" + display();
    }

    /**
     * True when frames come at the source's own pace in real time: live sources, looped files and
     * test patterns with {@code live=true}. Their frames may be skipped downstream to stay live.
     */
    public boolean realTime() {
        String q = uri.getRawQuery();
        return kind.live() || loop || (kind == SourceKind.TEST && q != null && java.util.Arrays.asList(q.split("&")).contains("live=true"));
    }

    /** True when the source keeps going after it fails or ends: live sources and looped files. */
    public boolean restartable() {
        return kind.live() || loop;
    }
}
