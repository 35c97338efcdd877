package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamsr demo} stopped the way an operator stops it (SIGTERM, as Ctrl-C and Kubernetes
 * do) finishes closing before the JVM exits: the playlists end and the embedded broker's
 * temporary data is gone. It used to exit mid-close and leave gigabytes in /tmp.
 */
class DemoStopIT {
    @TempDir
    Path tmp;

    @Test
    void aStoppedDemoEndsItsPlaylistsAndLeavesNoTemporaryData() throws Exception {
        Path javaTmp = Files.createDirectories(tmp.resolve("java-tmp"));
        Path hls = tmp.resolve("hls");
        ProcessBuilder pb = new ProcessBuilder(TestMedia.root().resolve("bin/streamsr").toString(), "demo",
                "--stream", "cam=test://ball?size=64x48&fps=10/1&live=true", "--model", "bicubic-x4", "--hls-dir", hls.toString(),
                "--http-port", "0", "--segment-duration", "1")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("demo.log").toFile());
        pb.environment().put("STREAMSR_JAVA_OPTS", "-Xmx768m -Djava.io.tmpdir=" + javaTmp);
        Process demo = pb.start();
        try {
            Path sr = hls.resolve("cam/sr/index.m3u8");
            Path source = hls.resolve("cam/source/index.m3u8");
            long deadline = System.currentTimeMillis() + 90_000;
            while (!(segments(sr) >= 2 && segments(source) >= 2)) {
                assertTrue(demo.isAlive(), "demo exited early:\n" + Files.readString(tmp.resolve("demo.log")));
                assertTrue(System.currentTimeMillis() < deadline, "no segments:\n" + Files.readString(tmp.resolve("demo.log")));
                Thread.sleep(200);
            }
            assertTrue(entries(javaTmp).stream().anyMatch(n -> n.startsWith("streamsr-kafka-")), "the broker keeps its data in java.io.tmpdir");

            demo.destroy(); // SIGTERM
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo stopped within the grace period");
            String log = Files.readString(tmp.resolve("demo.log"));
            assertTrue(log.contains("embedded Kafka broker stopped"), "the broker was closed:\n" + log);
            assertEquals(List.of(), entries(javaTmp).stream().filter(n -> n.startsWith("streamsr-")).toList(),
                    "temporary directories left behind");
            assertTrue(Files.readString(sr).contains("#EXT-X-ENDLIST"), Files.readString(sr));
            assertTrue(Files.readString(source).contains("#EXT-X-ENDLIST"), Files.readString(source));
        } finally {
            demo.destroyForcibly();
        }
    }

    private static long segments(Path playlist) throws Exception {
        return Files.isRegularFile(playlist) ? Files.readAllLines(playlist).stream().filter(l -> l.startsWith("#EXTINF")).count() : 0;
    }

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
