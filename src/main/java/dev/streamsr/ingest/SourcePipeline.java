package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.SourceKind;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.media.PipelineTemplate;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Turns a {@link Source} into a filled pipeline description from its template. */
public final class SourcePipeline {
    private static final int MAX_DIMENSION = 16_384;
    /** Where decodebin stops: raw video, AAC still compressed (it is forwarded as it is), other audio decoded. */
    static final String DECODE_CAPS = "video/x-raw(ANY);audio/mpeg,mpegversion=(int){2,4};audio/x-raw(ANY)";

    private SourcePipeline() {
    }

    public static String describe(Source source, IngestSettings settings) {
        Map<String, String> p = new HashMap<>();
        p.put("caps", caps(settings));
        p.put("appsink", appsinkProperties(source));
        p.put("decode", DECODE_CAPS);
        p.put("audio", forwardsAudio(source, settings)
                ? PipelineTemplate.load("source-audio").fill(Map.of("drop", Boolean.toString(source.kind().live())))
                : "");
        switch (source.kind()) {
            case FILE -> p.put("location", Path.of(source.uri()).toString());
            case TEST -> testParams(source, p);
            default -> p.put("uri", source.uri().toString());
        }
        return PipelineTemplate.load(source.kind().template()).fill(p);
    }

    /** A region stream of a shared decoder: pictures come through appsrc, and it crops, scales and converts its own part. */
    static String describeShared(Source source, IngestSettings settings) {
        return PipelineTemplate.load("source-shared").fill(Map.of("caps", caps(settings), "appsink", appsinkProperties(source)));
    }

    /** Test patterns have no audio; every other source forwards its audio unless turned off. */
    static boolean forwardsAudio(Source source, IngestSettings settings) {
        return settings.audio() && source.kind() != SourceKind.TEST;
    }

    /**
     * Live sources drop rather than lag; files are read with back-pressure, as fast as Kafka takes
     * them, except a looped file, which plays at its own frame rate like the live stream it stands in for.
     */
    static String appsinkProperties(Source source) {
        if (source.kind().live()) {
            return "sync=false max-buffers=1 drop=true";
        }
        return (source.loop() ? "sync=true" : "sync=false") + " max-buffers=4 drop=false";
    }

    /** Raw caps handed to Java: stepped ranges keep the aspect ratio and give even sizes. */
    static String caps(IngestSettings settings) {
        FrameSize cap = settings.maxInputSize();
        int maxW = cap == null ? MAX_DIMENSION : Math.max(2, cap.width() & ~1);
        int maxH = cap == null ? MAX_DIMENSION : Math.max(2, cap.height() & ~1);
        return "video/x-raw,format=" + settings.format().gstFormat()
                + ",width=[2," + maxW + ",2],height=[2," + maxH + ",2],pixel-aspect-ratio=1/1";
    }

    private static void testParams(Source source, Map<String, String> p) {
        Map<String, String> q = query(source.uri().getRawQuery());
        String pattern = source.uri().getHost() != null ? source.uri().getHost() : source.uri().getSchemeSpecificPart().replaceAll("[/?].*", "");
        if (pattern == null || pattern.isBlank()) {
            pattern = "smpte";
        }
        if (!pattern.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("stream " + source.stream() + ": bad test pattern '" + pattern + "'");
        }
        FrameSize size = FrameSize.parse(q.getOrDefault("size", "640x360"));
        String fps = q.getOrDefault("fps", "30/1");
        if (!fps.matches("\\d+/[1-9]\\d*")) {
            throw new IllegalArgumentException("stream " + source.stream() + ": fps must be num/den, got '" + fps + "'");
        }
        p.put("pattern", pattern);
        p.put("width", Integer.toString(size.width()));
        p.put("height", Integer.toString(size.height()));
        p.put("fps", fps);
        p.put("frames", Integer.toString(Integer.parseInt(q.getOrDefault("frames", "-1"))));
        p.put("live", Boolean.toString(Boolean.parseBoolean(q.getOrDefault("live", "false"))));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
