package dev.streamsr.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.glib.GError;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;

/**
 * A GStreamer pipeline description from {@code pipelines/NAME.pipeline} with {@code ${param}}
 * placeholders. Lines starting with {@code #} are comments. Filled templates can be pasted into
 * {@code gst-launch-1.0} to debug a source by hand.
 */
public record PipelineTemplate(String name, String text) {
    private static final Pattern PARAM = Pattern.compile("\\$\\{([a-z][a-z0-9-]*)}");

    /**
     * Builds a filled description into a pipeline; fails with GStreamer's first error, naming
     * {@code what} was being built (a missing element, a bad property).
     */
    public static Pipeline launch(String description, String what) {
        GstRuntime.ensureInitialised();
        List<GError> errors = new ArrayList<>();
        Element parsed = Gst.parseLaunch(description, errors);
        if (errors.isEmpty() && parsed instanceof Pipeline p) {
            return p;
        }
        if (parsed != null) {
            parsed.dispose();
        }
        throw new IllegalStateException("cannot build " + what + ": " + (errors.isEmpty() ? "not a pipeline" : errors.get(0).getMessage()));
    }

    public static PipelineTemplate load(String name) {
        String resource = "/pipelines/" + name + ".pipeline";
        try (InputStream in = PipelineTemplate.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no pipeline template " + resource);
            }
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.stripLeading().startsWith("#"))
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .collect(Collectors.joining(" "));
            return new PipelineTemplate(name, body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pipeline template " + resource, e);
        }
    }

    /** Substitutes every placeholder; a missing parameter or a value that could break quoting is an error. */
    public String fill(Map<String, String> params) {
        Matcher m = PARAM.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String value = params.get(key);
            if (value == null) {
                throw new IllegalArgumentException("pipeline " + name + " needs parameter '" + key + "'");
            }
            if (value.indexOf('"') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("pipeline " + name + ": parameter '" + key + "' contains a quote or newline");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
