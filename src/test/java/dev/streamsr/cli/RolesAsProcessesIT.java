package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.Servers;
import dev.streamsr.testing.TestMedia;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Operations section of the README, run as written: a broker and each role as its own
 * {@code bin/streamsr} process. Each role answers ready on its health port, the HLS of a live
 * source appears, and the roles other than the broker run without the broker's jars.
 */
class RolesAsProcessesIT {
    private static final HttpClient client = HttpClient.newHttpClient();


    private static int status(int port, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean await(BooleanSupplier done, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    @Test
    void eachRoleRunsAloneReportsReadyAndTogetherTheyWriteHls(@TempDir Path tmp) throws Exception {
        try (Stream<Path> lib = Files.list(TestMedia.root().resolve("target/lib"))) {
            List<String> broker = lib.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("kafka_2.13") || n.startsWith("scala-") || n.startsWith("kafka-server")).toList();
            assertEquals(List.of(), broker, "the roles' runtime carries no broker");
        }
        int kafkaPort = Servers.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        int ingestPort = Servers.freePort();
        int upscalePort = Servers.freePort();
        int packagePort = Servers.freePort();
        Path hls = tmp.resolve("hls");
        List<Process> roles = new ArrayList<>();
        String bin = TestMedia.root().resolve("bin/streamsr").toString();
        try {
            roles.add(start(tmp, "kafka", bin, "kafka", "--kafka-port", Integer.toString(kafkaPort)));
            roles.add(start(tmp, "ingest", bin, "ingest", "--bootstrap-servers", bootstrap, "--metrics-port", Integer.toString(ingestPort),
                    "--stream", "cam=test://ball?live=true&fps=15/1&size=160x120"));
            roles.add(start(tmp, "upscale", bin, "upscale", "--bootstrap-servers", bootstrap, "--metrics-port", Integer.toString(upscalePort),
                    "--model", "bicubic-x4", "--segment-duration", "1", "--engine-threads", "1"));
            roles.add(start(tmp, "package", bin, "package", "--bootstrap-servers", bootstrap, "--metrics-port", Integer.toString(packagePort),
                    "--hls-dir", hls.toString(), "--segment-duration", "1"));

            for (int port : new int[] {ingestPort, upscalePort, packagePort}) {
                assertTrue(await(() -> status(port, "/health/ready") == 200, 90_000),
                        "role on " + port + " ready; logs:\n" + logs(tmp));
                assertEquals(200, status(port, "/health/live"));
            }
            assertTrue(body(ingestPort, "/health/ready").contains("\"cam\":\"playing, "), body(ingestPort, "/health/ready"));
            Path playlist = hls.resolve("cam/sr/index.m3u8");
            assertTrue(await(() -> {
                try {
                    return Files.exists(playlist) && Files.readString(playlist).contains(".ts");
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 90_000), "upscaled HLS written; logs:\n" + logs(tmp));
        } finally {
            for (int i = roles.size() - 1; i >= 0; i--) {
                roles.get(i).destroy();
                roles.get(i).waitFor(50, TimeUnit.SECONDS);
            }
        }
        for (String role : List.of("ingest", "upscale", "package")) {
            // (The TensorRT probe's NoClassDefFoundError for CUDA is expected on a machine without a GPU.)
            for (String line : Files.readAllLines(tmp.resolve(role + ".log"))) {
                boolean missingClass = line.contains("NoClassDefFoundError") || line.contains("ClassNotFoundException");
                assertTrue(!missingClass || !(line.contains("kafka") || line.contains("scala")), role + " missed a broker class: " + line);
            }
        }
    }

    private static Process start(Path tmp, String name, String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
    }

    private static String logs(Path tmp) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String role : List.of("kafka", "ingest", "upscale", "package")) {
            Path f = tmp.resolve(role + ".log");
            if (Files.exists(f)) {
                List<String> lines = Files.readAllLines(f);
                out.append("--- ").append(role).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
            }
        }
        return out.toString();
    }
}
