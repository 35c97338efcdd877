package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.TestMedia;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real binary, as an operator meets it: its version, and one clear line for a value it cannot use. */
class CommandLineIT {
    private record Run(int rc, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestMedia.root().resolve("bin/streamsr").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + cmd);
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void versionIsTheProjectVersion() throws Exception {
        Run r = run(Map.of(), "--version");
        assertEquals(0, r.rc());
        assertTrue(r.out().startsWith("streamsr 0.1.0"), r.out());
    }

    @Test
    void aBadDurationIsOneLineSayingWhatIsExpected() throws Exception {
        Run r = run(Map.of(), "ingest", "--backoff-max", "30x", "--stream", "a=test://ball");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("streamsr ingest: Invalid value for option '--backoff-max': '30x' is not a duration"), r.err());
        assertFalse(r.err().contains("Usage:"), "no wall of usage: " + r.err());
        assertTrue(r.err().contains("Try 'streamsr ingest --help'"), r.err());
    }

    @Test
    void aBadSizeFromTheEnvironmentNamesTheVariable() throws Exception {
        Run r = run(Map.of("STREAMSR_MAX_INPUT_SIZE", "640by360"), "ingest", "--stream", "a=test://ball");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("'640by360' is not a frame size: use WIDTHxHEIGHT"), r.err());
        assertTrue(r.err().contains("(from the environment variable STREAMSR_MAX_INPUT_SIZE)"), r.err());
        assertFalse(r.err().contains("IllegalArgumentException"), r.err());
    }

    @Test
    void aMissingStreamsFileSaysSoOnce() throws Exception {
        Run r = run(Map.of(), "streams", "apply", "/missing/streams.yaml");
        assertEquals(1, r.rc(), r.err());
        assertEquals("streamsr streams apply: cannot read /missing/streams.yaml: no such file", r.err().strip());
    }

    /**
     * A model that is not there fails at start-up with one line, before any broker, stream or
     * timing starts: a bare name that is not shipped once ran a 40 s e2e bench that upscaled nothing.
     */
    @Test
    void anUnknownModelFailsAtOnceNamingTheShippedOnes() throws Exception {
        for (String[] args : new String[][] {
                {"upscale", "--model", "nosuchmodel", "--bootstrap-servers", "127.0.0.1:1", "--metrics-port", "0"},
                {"demo", "--model", "nosuchmodel", "--http-port", "0", "--stream", "a=test://ball?live=true"},
                {"bench", "e2e", "--model", "nosuchmodel", "--seconds", "5", "--warmup", "1"},
                {"bench", "soak", "--model", "nosuchmodel", "--minutes", "1"},
                {"bench", "engine", "--models", "bicubic-x4,nosuchmodel", "--frames", "1"}}) {
            String command = String.join(" ", java.util.Arrays.stream(args).takeWhile(a -> !a.startsWith("--")).toList());
            long t0 = System.nanoTime();
            Run r = run(Map.of(), args);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.rc(), r.err());
            assertTrue(r.err().contains("streamsr " + command + ": model 'nosuchmodel' not found"), r.err());
            assertTrue(r.err().contains("shipped models: ") && r.err().contains("streamsr-tiny-x4") && r.err().contains("bicubic-x4"), r.err());
            assertFalse(r.err().contains("Exception"), "one line, no stack trace: " + r.err());
            assertFalse(r.out().contains("bicubic-x4 "), "no model timed before the bad one was found: " + r.out());
            assertTrue(ms < 30_000, command + " took " + ms + " ms to fail");
        }
    }

    /** Every role that needs Kafka waits for it a bounded time, then says where it looked, in one line, and exits 1. */
    @Test
    void anUnreachableKafkaFailsEachRoleWithOneLineNamingTheServers() throws Exception {
        for (String[] args : new String[][] {
                {"ingest", "--stream", "a=test://ball?live=true", "--metrics-port", "0"},
                {"upscale", "--model", "bicubic-x4", "--metrics-port", "0"},
                {"package", "--metrics-port", "0", "--hls-dir", "target/unreachable-hls"},
                {"serve", "--http-port", "0", "--api-token", "t0ken-for-a-test", "--hls-dir", "target/unreachable-hls"}}) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "3s"));
            long t0 = System.nanoTime();
            Run r = run(Map.of(), all.toArray(String[]::new));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.rc(), r.err());
            assertTrue(r.err().contains("streamsr " + args[0] + ": Kafka is not reachable at 127.0.0.1:1 (waited 3 s"), r.err());
            assertTrue(r.err().contains("check --bootstrap-servers"), r.err());
            assertFalse(r.err().contains("Exception:") || r.err().contains("\tat "), "no stack trace: " + r.err());
            assertTrue(r.err().strip().lines().count() <= 3, "a few lines, not a client's retry log: " + r.err());
            assertTrue(ms < 25_000, args[0] + " took " + ms + " ms to fail");
        }
    }

    @Test
    void aModelFileThatIsNotAModelFailsAtOnce() throws Exception {
        java.nio.file.Path broken = java.nio.file.Files.createTempFile("broken", ".onnx");
        java.nio.file.Files.writeString(broken, "not a model");
        Run r = run(Map.of(), "upscale", "--model", broken.toString(), "--bootstrap-servers", "127.0.0.1:1", "--metrics-port", "0");
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().startsWith("streamsr upscale: ") && r.err().contains(broken.toString()), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        java.nio.file.Files.delete(broken);
    }

    /** One YAML file configures any role; the command line wins over the environment, which wins over the file. */
    @Test
    void aConfigFileSetsOptionsPerCommandAndLosesToTheEnvironmentAndTheCommandLine() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("config");
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("streamsr.yaml"), """
                # a deployment in one file
                bootstrap-servers: 127.0.0.1:1
                kafka-timeout: 2s
                metrics-port: 0
                upscale:
                  model: nosuchmodel
                """);
        Run fromFile = run(Map.of(), "upscale", "--config", file.toString());
        assertEquals(1, fromFile.rc(), fromFile.err());
        assertTrue(fromFile.err().contains("model 'nosuchmodel' not found"), "the upscale section applies: " + fromFile.err());

        Run fromEnv = run(Map.of("STREAMSR_CONFIG", file.toString(), "STREAMSR_MODEL", "bicubic-x4"), "upscale");
        assertEquals(1, fromEnv.rc(), fromEnv.err());
        assertTrue(fromEnv.err().contains("Kafka is not reachable at 127.0.0.1:1 (waited 2 s"),
                "the environment's model wins, the file's servers and timeout apply: " + fromEnv.err());

        Run fromArgs = run(Map.of("STREAMSR_MODEL", "nosuchmodel"), "upscale", "--config", file.toString(), "--model", "bicubic-x4");
        assertTrue(fromArgs.err().contains("Kafka is not reachable at 127.0.0.1:1"), "the command line wins: " + fromArgs.err());

        java.nio.file.Files.writeString(file, "max-inptu-size: 640x360\n");
        Run typo = run(Map.of(), "ingest", "--config", file.toString());
        assertEquals(2, typo.rc(), typo.err());
        assertEquals("streamsr: config " + file + ": no command has an option --max-inptu-size", typo.err().strip());

        java.nio.file.Files.writeString(file, "max-input-size: 640by360\nstream:\n  a: test://ball\n");
        Run bad = run(Map.of(), "ingest", "--config", file.toString());
        assertEquals(2, bad.rc(), bad.err());
        assertTrue(bad.err().contains("'640by360' is not a frame size") && bad.err().contains("(from " + file + ")"), bad.err());
    }

    @Test
    void theLogLevelIsAnOptionOfEveryCommand() throws Exception {
        Run debug = run(Map.of(), "upscale", "--log-level", "debug", "--model", "nosuchmodel", "--metrics-port", "0");
        assertEquals(1, debug.rc(), debug.err());
        assertTrue(debug.err().contains(" DEBUG "), "debug lines at --log-level debug: " + debug.err());
        Run quiet = run(Map.of(), "upscale", "--model", "nosuchmodel", "--metrics-port", "0");
        assertFalse(quiet.err().contains(" DEBUG "), quiet.err());
        Run bad = run(Map.of(), "--log-level", "loud", "demo");
        assertEquals(2, bad.rc(), bad.err());
        assertTrue(bad.err().contains("'loud' is not a log level: use ERROR, WARN, INFO, DEBUG or TRACE"), bad.err());
    }

    /** Files and directories a role cannot use are named at start, before any broker is contacted. */
    @Test
    void unusableFilesFailAtStartNamingTheFile() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("unusable");
        java.nio.file.Path notADir = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        Run hls = run(Map.of(), "package", "--hls-dir", notADir.resolve("hls").toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--metrics-port", "0");
        assertEquals(1, hls.rc(), hls.err());
        assertTrue(hls.err().startsWith("streamsr package: cannot create --hls-dir " + notADir.resolve("hls")), hls.err());

        Run props = run(Map.of(), "ingest", "--kafka-config", dir.resolve("missing.properties").toString(), "--stream", "a=test://ball",
                "--metrics-port", "0");
        assertEquals(1, props.rc(), props.err());
        assertTrue(props.err().startsWith("streamsr ingest: cannot read Kafka client properties " + dir.resolve("missing.properties")), props.err());
        assertFalse(props.err().contains("\tat "), props.err());
    }

    @Test
    void aRegionMustNameAStreamAndStayInsideThePicture() throws Exception {
        Run unknown = run(Map.of(), "ingest", "--stream", "a=test://ball", "--region", "nope=0,0,0.5,0.5", "--metrics-port", "0");
        assertEquals(1, unknown.rc(), unknown.err());
        assertEquals("streamsr ingest: --region nope: no --stream nope", unknown.err().strip());
        Run outside = run(Map.of(), "ingest", "--stream", "a=test://ball", "--region", "a=0.5,0.5,0.6,0.2", "--metrics-port", "0");
        assertEquals(1, outside.rc(), outside.err());
        assertEquals("streamsr ingest: region 0.5,0.5,0.6,0.2 is outside the frame: x + w and y + h must be at most 1", outside.err().strip());
    }

    @Test
    void aStreamModelMustNameAStreamAndAModel() throws Exception {
        Run unknown = run(Map.of(), "ingest", "--stream", "a=test://ball", "--stream-model", "nope=camera", "--metrics-port", "0");
        assertEquals(1, unknown.rc(), unknown.err());
        assertEquals("streamsr ingest: --stream-model nope: no --stream nope", unknown.err().strip());
        Run bad = run(Map.of(), "ingest", "--stream", "a=test://ball", "--stream-model", "a=/etc/passwd", "--metrics-port", "0");
        assertEquals(1, bad.rc(), bad.err());
        assertEquals("streamsr ingest: --stream-model a: model must be auto, camera or stream, got '/etc/passwd'", bad.err().strip());
    }
}
