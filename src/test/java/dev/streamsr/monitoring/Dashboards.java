package dev.streamsr.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.streamsr.testing.TestMedia;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the shipped dashboards and alert rules: the queries they run and the metric names they use. */
final class Dashboards {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern METRIC = Pattern.compile("\\b((?:streamsr|kafka|jvm|process|system)_[a-z0-9_]+)\\b");
    private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum");

    /** One query of one panel; gpuOnly when the panel says it is empty on machines without a GPU. */
    record Query(String dashboard, String panel, String expr, boolean gpuOnly) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + ": " + expr;
        }
    }

    private Dashboards() {
    }

    static Path dir() {
        return TestMedia.root().resolve("dashboards");
    }

    static Path rules() {
        return TestMedia.root().resolve("alerts/streamsr.rules.yml");
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid JSON", e);
        }
    }

    static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (Path f : files()) {
            JsonNode d = read(f);
            for (JsonNode panel : d.path("panels")) {
                boolean gpu = panel.path("description").asText().startsWith("GPU only");
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Query(d.path("title").asText(), panel.path("title").asText(), t.path("expr").asText(), gpu));
                }
            }
        }
        return out;
    }

    static List<String> ruleExpressions() {
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode g : YAML.readTree(rules().toFile()).path("groups")) {
                for (JsonNode r : g.path("rules")) {
                    out.add(r.path("expr").asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Metric names in a PromQL expression, histogram series reduced to the histogram's name. */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static boolean isHistogramSeries(String name) {
        return HISTOGRAM_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    /** Grafana's variables replaced as Grafana would for one stream and a short rate window. */
    static String resolve(String expr, String stream) {
        return expr.replace("$__rate_interval", "30s").replace("${stream}", stream).replace("$stream", stream);
    }
}
