package dev.streamsr.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Schema-level checks of the Grafana dashboards and provisioning files (Grafana itself is not packaged here). */
class DashboardsTest {
    private static final String DS = "${datasource}";

    @Test
    void fourDashboardsWithDistinctUids() {
        List<Path> files = Dashboards.files();
        assertEquals(List.of("streamsr-engine.json", "streamsr-kafka.json", "streamsr-overview.json", "streamsr-stream.json"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        Set<String> uids = new HashSet<>();
        for (Path f : files) {
            JsonNode d = Dashboards.read(f);
            assertTrue(uids.add(d.path("uid").asText()), "duplicate uid in " + f);
            assertFalse(d.path("title").asText().isBlank(), f + " has no title");
        }
    }

    @Test
    void datasourceIsTemplatedEverywhere() {
        for (Path f : Dashboards.files()) {
            JsonNode d = Dashboards.read(f);
            JsonNode var = find(d.path("templating").path("list"), "datasource");
            assertEquals("datasource", var.path("type").asText(), f + ": $datasource must be a datasource variable");
            assertEquals("prometheus", var.path("query").asText(), f.toString());
            for (JsonNode p : d.path("panels")) {
                assertEquals(DS, p.path("datasource").path("uid").asText(), f + " panel " + p.path("title"));
                for (JsonNode t : p.path("targets")) {
                    assertEquals(DS, t.path("datasource").path("uid").asText(), f + " panel " + p.path("title"));
                }
            }
            JsonNode stream = find(d.path("templating").path("list"), "stream");
            if (stream != null) {
                assertEquals(DS, stream.path("datasource").path("uid").asText(), f + ": $stream must query the templated datasource");
            }
        }
    }

    @Test
    void everyPanelHasAQueryAndAUniqueId() {
        for (Path f : Dashboards.files()) {
            JsonNode d = Dashboards.read(f);
            Set<Integer> ids = new HashSet<>();
            assertTrue(d.path("panels").size() >= 6, f + " has too few panels to be useful");
            for (JsonNode p : d.path("panels")) {
                assertTrue(ids.add(p.path("id").asInt(-1)), f + ": duplicate panel id " + p.path("id"));
                assertTrue(p.path("targets").size() > 0, f + ": panel " + p.path("title") + " has no query");
                Set<String> refs = new HashSet<>();
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText().isBlank(), f + ": panel " + p.path("title") + " has an empty query");
                    assertTrue(refs.add(t.path("refId").asText()), f + ": panel " + p.path("title") + " repeats a refId");
                }
                JsonNode g = p.path("gridPos");
                assertTrue(g.path("w").asInt() > 0 && g.path("h").asInt() > 0 && g.path("x").asInt() + g.path("w").asInt() <= 24,
                        f + ": panel " + p.path("title") + " has a bad gridPos");
            }
        }
    }

    @Test
    void perStreamDashboardsFilterByTheStreamVariable() {
        for (String name : List.of("streamsr-overview.json", "streamsr-stream.json")) {
            JsonNode d = Dashboards.read(Dashboards.dir().resolve(name));
            assertEquals("label_values(streamsr_ingest_frames_total, stream)",
                    find(d.path("templating").path("list"), "stream").path("definition").asText());
        }
        long filtered = Dashboards.queries().stream().filter(q -> q.dashboard().equals("StreamSR / Stream"))
                .filter(q -> q.expr().contains("$stream")).count();
        long all = Dashboards.queries().stream().filter(q -> q.dashboard().equals("StreamSR / Stream")).count();
        assertEquals(all, filtered, "every query of the one-stream dashboard must filter by $stream");
    }

    @Test
    void provisioningPointsAtPrometheusAndTheDashboards() throws Exception {
        Path prov = Dashboards.dir().resolve("provisioning");
        JsonNode ds = Dashboards.YAML.readTree(prov.resolve("datasources/streamsr.yaml").toFile());
        assertEquals(1, ds.path("apiVersion").asInt());
        assertEquals("prometheus", ds.path("datasources").get(0).path("type").asText());
        JsonNode dash = Dashboards.YAML.readTree(prov.resolve("dashboards/streamsr.yaml").toFile());
        JsonNode provider = dash.path("providers").get(0);
        assertEquals("file", provider.path("type").asText());
        assertFalse(provider.path("options").path("path").asText().isBlank());
    }

    @Test
    void metricNamesAreParsedOutOfQueries() {
        assertEquals(Set.of("streamsr_latency_ingest_to_segment_seconds_bucket"),
                Dashboards.metricNames("histogram_quantile(0.5, sum by (le) (rate(streamsr_latency_ingest_to_segment_seconds_bucket{stream=~\"x_y\"}[1m])))"));
        List<String> all = new ArrayList<>();
        Dashboards.queries().forEach(q -> all.addAll(Dashboards.metricNames(q.expr())));
        assertTrue(all.contains("streamsr_consumer_lag"));
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode v : list) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
