package dev.streamsr.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.streamsr.testing.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart through Helm's own library (helm-java): lint, render with several value sets, and refuse bad values. */
class HelmChartTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path CHART = TestMedia.root().resolve("helm/streamsr");

    /** Rendered manifests, by kind and name. */
    record Manifests(List<JsonNode> all) {
        List<JsonNode> kind(String kind) {
            return all.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
        }

        JsonNode get(String kind, String name) {
            return kind(kind).stream().filter(m -> name.equals(m.path("metadata").path("name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names()));
        }

        List<String> names() {
            return all.stream().map(m -> m.path("kind").asText() + "/" + m.path("metadata").path("name").asText()).toList();
        }
    }

    static Manifests render(Consumer<TemplateCommand> values) throws Exception {
        TemplateCommand cmd = new Helm(CHART).template().withName("sr").withNamespace("video").withKubeVersion("1.30.0");
        values.accept(cmd);
        String out = cmd.call();
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode d : YAML.readValues(YAML.createParser(out), JsonNode.class).readAll()) {
            if (d != null && !d.isEmpty()) {
                docs.add(d);
            }
        }
        return new Manifests(docs);
    }

    static Manifests render(Map<String, Object> set) throws Exception {
        return render(cmd -> set.forEach(cmd::set));
    }

    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText()
                    : "secret:" + e.path("valueFrom").path("secretKeyRef").path("name").asText() + "/" + e.path("valueFrom").path("secretKeyRef").path("key").asText());
        }
        return env;
    }

    static JsonNode container(Manifests m, String deployment, String name) {
        for (JsonNode c : m.get("Deployment", "sr-streamsr-" + deployment).path("spec").path("template").path("spec").path("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no container " + name + " in " + deployment);
    }

    @Test
    void lintPasses() {
        LintResult r = new Helm(CHART).lint().strict().call();
        assertFalse(r.isFailed(), "helm lint: " + r.getMessages());
    }

    @Test
    void defaultValuesRenderEveryRoleSecurely() throws Exception {
        Manifests m = render(Map.of());
        assertEquals(List.of("sr-streamsr-ingest", "sr-streamsr-package", "sr-streamsr-upscale"),
                m.kind("Deployment").stream().map(d -> d.path("metadata").path("name").asText()).sorted().toList());
        assertEquals(3, m.kind("PodDisruptionBudget").size());
        assertEquals(4, m.kind("Service").size());
        for (JsonNode d : m.kind("Deployment")) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), d.path("metadata").path("name").asText());
            assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
            for (JsonNode c : pod.path("containers")) {
                String where = d.path("metadata").path("name").asText() + "/" + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), where);
                assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), where);
                assertEquals("ALL", sc.path("capabilities").path("drop").get(0).asText(), where);
                for (String probe : List.of("livenessProbe", "startupProbe")) {
                    assertEquals("/health/live", c.path(probe).path("httpGet").path("path").asText(), where + " " + probe);
                }
                assertEquals("/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), where + " readinessProbe");
                assertTrue(c.path("resources").path("requests").has("memory"), where + " has no memory request");
                assertTrue(c.path("resources").path("limits").has("memory"), where + " has no memory limit");
                assertTrue(hasMount(c, "/tmp"), where + ": a read-only root needs a writable /tmp");
                assertEquals("ghcr.io/streamsr/streamsr:0.1.0", c.path("image").asText(), where);
            }
        }
        Map<String, String> upscale = env(container(m, "upscale", "upscale"));
        assertEquals("kafka:9092", upscale.get("STREAMSR_BOOTSTRAP_SERVERS"));
        assertEquals("auto", upscale.get("STREAMSR_ENGINE"));
        assertEquals("changelog", upscale.get("STREAMSR_STATE"));
        assertEquals("1s", upscale.get("STREAMSR_MAX_LAG"), "live streams stay live by default");
        assertEquals("/etc/streamsr/kafka/client.properties", upscale.get("STREAMSR_KAFKA_CONFIG"));
        assertFalse(container(m, "upscale", "upscale").path("resources").path("limits").has("nvidia.com/gpu"));
        // Package and serve share one HLS volume in one pod.
        assertTrue(hasMount(container(m, "package", "package"), "/var/lib/streamsr/hls"));
        assertTrue(hasMount(container(m, "package", "serve"), "/var/lib/streamsr/hls"));
        assertTrue(m.kind("PodMonitor").isEmpty() && m.kind("ScaledObject").isEmpty() && m.kind("Ingress").isEmpty());
    }

    @Test
    void streamsAndSettingsReachTheCliThroughItsEnvironment() throws Exception {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("kafka.bootstrapServers", "b1:9093,b2:9093", "streams[0].id", "lobby",
                "streams[0].uri", "rtsp://admin:pw@cam.local/1", "streams[1].id", "dock", "streams[1].uri", "srt://10.0.0.6:9000",
                "streams[1].maxInputSize", "320x180",
                "ingest.maxInputSize", "640x360", "package.segmentDuration", "4", "ingest.audio", false, "ingest.liveBufferFrames", 60));
        values.putAll(Map.of("streams[1].model", "stream", "streams[1].output", "rtmp://cdn.example/live/key"));
        Manifests m = render(values);
        Map<String, String> ingest = env(container(m, "ingest", "ingest"));
        assertEquals("false", ingest.get("STREAMSR_AUDIO"));
        assertEquals("60", ingest.get("STREAMSR_LIVE_BUFFER_FRAMES"));
        // The streams reach ingest through the registry, from a Secret the streams Job applies; the CLI's own reader parses it.
        assertEquals("true", ingest.get("STREAMSR_REGISTRY"));
        assertFalse(ingest.containsKey("STREAMSR_STREAM"), "a static stream would be pulled by every ingest pod");
        JsonNode job = m.get("Job", "sr-streamsr-streams-1");
        JsonNode apply = job.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals(List.of("streams", "apply", "/etc/streamsr/streams/streams.yaml"),
                YAML.convertValue(apply.path("args"), List.class));
        assertEquals("b1:9093,b2:9093", env(apply).get("STREAMSR_BOOTSTRAP_SERVERS"));
        assertTrue(hasMount(apply, "/etc/streamsr/streams"));
        Path file = Files.createTempFile("streams", ".yaml");
        Files.writeString(file, m.get("Secret", "sr-streamsr-streams").path("stringData").path("streams.yaml").asText());
        var specs = dev.streamsr.stream.StreamsFile.read(file, List.of());
        Files.delete(file);
        assertEquals(List.of("lobby", "dock"), specs.stream().map(dev.streamsr.stream.StreamSpec::id).toList());
        assertEquals("rtsp://admin:pw@cam.local/1", specs.get(0).uri());
        assertEquals("320x180", specs.get(1).maxInputSize());
        assertEquals("stream", specs.get(1).model());
        assertEquals("rtmp://cdn.example/live/key", specs.get(1).output());
        assertEquals("640x360", ingest.get("STREAMSR_MAX_INPUT_SIZE"));
        assertEquals("b1:9093,b2:9093", ingest.get("STREAMSR_BOOTSTRAP_SERVERS"));
        assertEquals("4", env(container(m, "package", "package")).get("STREAMSR_SEGMENT_DURATION"));
        assertEquals("4", env(container(m, "upscale", "upscale")).get("STREAMSR_SEGMENT_DURATION"), "key frames follow segments");
    }

    @Test
    void ingestScalesOutOnTheRegistryAndTheApiTokenComesFromASecret() throws Exception {
        Manifests none = render(Map.of());
        assertTrue(none.kind("Job").isEmpty(), "no streams, no Job");
        assertFalse(env(container(none, "package", "serve")).containsKey("STREAMSR_API_TOKEN"), "no Secret, no API");

        Manifests m = render(Map.of("ingest.replicas", 3, "serve.apiToken.existingSecret", "streamsr-api"));
        JsonNode ingest = m.get("Deployment", "sr-streamsr-ingest");
        assertEquals(3, ingest.path("spec").path("replicas").asInt());
        assertFalse("Recreate".equals(ingest.path("spec").path("strategy").path("type").asText()), "pods hand streams over while rolling");
        assertEquals("secret:streamsr-api/token", env(container(m, "package", "serve")).get("STREAMSR_API_TOKEN"));
    }

    @Test
    void webRtcIsOnWithItsRelayFromASecretAndTheNodeNetworkOnRequest() throws Exception {
        Manifests none = render(Map.of());
        JsonNode serve = container(none, "package", "serve");
        assertEquals("[\"serve\"]", serve.path("args").toString());
        assertEquals("32", env(serve).get("STREAMSR_WEBRTC_MAX_VIEWERS"));
        assertFalse(env(serve).containsKey("STREAMSR_WEBRTC_TURN"));
        assertFalse(none.get("Deployment", "sr-streamsr-package").path("spec").path("template").path("spec").path("hostNetwork").asBoolean());

        Manifests m = render(Map.of("serve.webrtc.hostNetwork", true, "serve.webrtc.stun", "stun://stun.example.com:3478",
                "serve.webrtc.turn.existingSecret", "streamsr-turn", "serve.webrtc.maxViewers", 100));
        serve = container(m, "package", "serve");
        assertEquals("secret:streamsr-turn/uri", env(serve).get("STREAMSR_WEBRTC_TURN"));
        assertEquals("stun://stun.example.com:3478", env(serve).get("STREAMSR_WEBRTC_STUN"));
        assertEquals("100", env(serve).get("STREAMSR_WEBRTC_MAX_VIEWERS"));
        JsonNode pod = m.get("Deployment", "sr-streamsr-package").path("spec").path("template").path("spec");
        assertTrue(pod.path("hostNetwork").asBoolean());
        assertEquals("ClusterFirstWithHostNet", pod.path("dnsPolicy").asText());

        Manifests off = render(Map.of("serve.webrtc.enabled", false, "serve.webrtc.hostNetwork", true));
        assertEquals("[\"serve\",\"--no-webrtc\"]", container(off, "package", "serve").path("args").toString());
        assertFalse(off.get("Deployment", "sr-streamsr-package").path("spec").path("template").path("spec").path("hostNetwork").asBoolean());
    }

    @Test
    void gpuValuesRequestGpusAndKeepThePlanCache() throws Exception {
        Manifests m = render(Map.of("gpu.enabled", true, "gpu.count", 2, "gpu.nodeSelector.accelerator", "h100"));
        JsonNode up = container(m, "upscale", "upscale");
        assertEquals("2", up.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("2", up.path("resources").path("requests").path("nvidia.com/gpu").asText());
        assertTrue(up.path("image").asText().endsWith(":0.1.0-gpu"), up.path("image").asText());
        JsonNode pod = m.get("Deployment", "sr-streamsr-upscale").path("spec").path("template").path("spec");
        assertEquals("h100", pod.path("nodeSelector").path("accelerator").asText());
        assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText());
        assertTrue(hasMount(up, "/var/cache/streamsr/plans"));
        assertEquals("/var/cache/streamsr/plans", env(up).get("STREAMSR_PLAN_CACHE"));
        String claim = volume(pod, "plan-cache").path("persistentVolumeClaim").path("claimName").asText();
        assertEquals("sr-streamsr-plan-cache", claim);
        assertNotNull(m.get("PersistentVolumeClaim", claim));
        // Only the upscaler gets GPUs.
        assertFalse(container(m, "ingest", "ingest").path("resources").path("limits").has("nvidia.com/gpu"));
    }

    @Test
    void monitoringRendersTheSameDashboardsAndRulesAsTheRepository() throws Exception {
        Manifests m = render(Map.of("monitoring.podMonitor.enabled", true, "monitoring.prometheusRule.enabled", true,
                "monitoring.dashboards.enabled", true));
        assertEquals("metrics", m.get("PodMonitor", "sr-streamsr").path("spec").path("podMetricsEndpoints").get(0).path("port").asText());
        JsonNode rule = m.get("PrometheusRule", "sr-streamsr").path("spec");
        assertEquals(YAML.readTree(TestMedia.root().resolve("alerts/streamsr.rules.yml").toFile()), rule);
        List<Path> dashboards;
        try (Stream<Path> s = Files.list(TestMedia.root().resolve("dashboards"))) {
            dashboards = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(4, dashboards.size());
        for (Path d : dashboards) {
            String file = d.getFileName().toString();
            JsonNode cm = m.get("ConfigMap", "sr-streamsr-dashboard-" + file.replace("streamsr-", "").replace(".json", ""));
            assertEquals("1", cm.path("metadata").path("labels").path("grafana_dashboard").asText());
            assertEquals(Files.readString(d).strip(), cm.path("data").path(file).asText().strip(), file + " differs from dashboards/");
        }
    }

    @Test
    void kedaScalesUpscaleOnLagWithinThePartitionCount() throws Exception {
        Manifests m = render(Map.of("autoscaling.keda.enabled", true, "autoscaling.keda.maxReplicas", 8, "kafka.topics.partitions", 8));
        JsonNode so = m.get("ScaledObject", "sr-streamsr-upscale").path("spec");
        assertEquals("sr-streamsr-upscale", so.path("scaleTargetRef").path("name").asText());
        assertEquals(8, so.path("maxReplicaCount").asInt());
        JsonNode trigger = so.path("triggers").get(0);
        assertEquals("kafka", trigger.path("type").asText());
        assertEquals("streamsr-upscale", trigger.path("metadata").path("consumerGroup").asText());
        assertEquals("streamsr.lr", trigger.path("metadata").path("topic").asText());
        assertEquals("false", trigger.path("metadata").path("allowIdleConsumers").asText());
        assertFalse(m.get("Deployment", "sr-streamsr-upscale").path("spec").has("replicas"), "KEDA owns the replica count");
        Exception e = assertThrows(Exception.class, () -> render(Map.of("autoscaling.keda.enabled", true,
                "autoscaling.keda.maxReplicas", 9, "kafka.topics.partitions", 8)));
        assertTrue(e.getMessage().contains("exceeds kafka.topics.partitions"), e.getMessage());
    }

    @Test
    void saslCredentialsComeFromTheExistingSecretOnly() throws Exception {
        Manifests m = render(Map.of("kafka.securityProtocol", "SASL_SSL", "kafka.sasl.existingSecret", "kafka-creds",
                "kafka.tls.truststoreSecret", "kafka-ca", "autoscaling.keda.enabled", true));
        Map<String, String> env = env(container(m, "upscale", "upscale"));
        assertEquals("secret:kafka-creds/username", env.get("STREAMSR_KAFKA_USERNAME"));
        assertEquals("secret:kafka-creds/password", env.get("STREAMSR_KAFKA_PASSWORD"));
        String props = m.get("ConfigMap", "sr-streamsr-kafka").path("data").path("client.properties").asText();
        assertTrue(props.contains("security.protocol=SASL_SSL"), props);
        assertTrue(props.contains("sasl.mechanism=SCRAM-SHA-512"), props);
        assertTrue(props.contains("password=\"${env:STREAMSR_KAFKA_PASSWORD}\""), props);
        assertTrue(props.contains("ssl.truststore.location=/etc/streamsr/kafka-tls/truststore.p12"), props);
        assertEquals("scram_sha512", m.get("ScaledObject", "sr-streamsr-upscale").path("spec").path("triggers").get(0).path("metadata").path("sasl").asText());
        assertEquals("enable", m.get("ScaledObject", "sr-streamsr-upscale").path("spec").path("triggers").get(0).path("metadata").path("tls").asText());
        assertEquals("kafka-creds", m.get("TriggerAuthentication", "sr-streamsr-kafka").path("spec").path("secretTargetRef").get(0).path("name").asText());
        assertThrows(Exception.class, () -> render(Map.of("kafka.securityProtocol", "SASL_SSL")), "SASL without a Secret must fail");
    }

    @Test
    void strimziTopicsCarryTheDerivedLimits() throws Exception {
        Manifests m = render(Map.of("kafka.topics.strimzi.enabled", true, "kafka.topics.strimzi.cluster", "prod", "kafka.topics.retention", "PT1H30M"));
        JsonNode lr = m.get("KafkaTopic", "streamsr-lr").path("spec");
        assertEquals("streamsr.lr", lr.path("topicName").asText());
        assertEquals(5_400_000L, lr.path("config").path("retention.ms").asLong());
        // 1920x1080: 3 B/px frame + 4 B/px latent + 1 MiB, as FrameLimits computes it.
        assertEquals(new dev.streamsr.kafka.FrameLimits(new dev.streamsr.frame.FrameSize(1920, 1080)).maxRecordBytes(),
                lr.path("config").path("max.message.bytes").asLong());
        assertEquals(5, m.kind("KafkaTopic").size());
        assertEquals(m.get("KafkaTopic", "streamsr-sr").path("spec").path("partitions").asInt(),
                m.get("KafkaTopic", "streamsr-audio").path("spec").path("partitions").asInt(), "audio is co-partitioned with sr");
        assertEquals("compact", m.get("KafkaTopic", "streamsr-streams").path("spec").path("config").path("cleanup.policy").asText());
    }

    @Test
    void ingressRoutesThePlayerAndHls() throws Exception {
        Manifests m = render(Map.of("ingress.enabled", true, "ingress.host", "video.example.org"));
        JsonNode rule = m.get("Ingress", "sr-streamsr").path("spec").path("rules").get(0);
        assertEquals("video.example.org", rule.path("host").asText());
        assertEquals("sr-streamsr", rule.path("http").path("paths").get(0).path("backend").path("service").path("name").asText());
    }

    static Stream<Map<String, Object>> invalidValues() {
        return Stream.of(
                Map.of("upscale.engine", "cuda"),
                Map.of("ingest.replicas", -1),
                Map.of("serve.webrtc.stun", "turn://user:pw@relay:3478"),
                Map.of("serve.webrtc.maxViewers", 0),
                Map.of("streams[0].id", "cam", "streams[0].uri", "rtsp://x/1", "streams[0].maxInputSize", "big"),
                Map.of("kafka.bootstrapServers", ""),
                Map.of("kafka.securityProtocol", "SASL"),
                Map.of("securityContext.privileged", true),
                Map.of("podSecurityContext.runAsNonRoot", false),
                Map.of("streams[0].id", "bad id!", "streams[0].uri", "rtsp://x/1"),
                Map.of("streams[0].id", "cam", "streams[0].uri", "ftp://x/1"),
                Map.of("streams[0].id", "cam", "streams[0].uri", "rtsp://x/1", "streams[0].model", "../x"),
                Map.of("kafka.maxFrameSize", "huge"),
                Map.of("upscal.replicas", 2),
                Map.of("package.segmentDuration", 0),
                Map.of("upscale.maxLag", "1 second"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void schemaRejectsBadValues(Map<String, Object> values) {
        Exception e = assertThrows(Exception.class, () -> render(values), "accepted " + values);
        assertTrue(e.getMessage().toLowerCase().contains("schema") || e.getMessage().contains("values"), e.getMessage());
    }

    private static boolean hasMount(JsonNode container, String path) {
        for (JsonNode v : container.path("volumeMounts")) {
            if (v.path("mountPath").asText().equals(path)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        return ((ObjectNode) YAML.createObjectNode());
    }
}
