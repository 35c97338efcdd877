package dev.streamsr.ingest;

import dev.streamsr.stream.StreamRegistry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.cli.StreamSr;
import dev.streamsr.testing.EmbeddedBrokerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamsr streams apply}: a streams file in git is the registry, as the API would make it. */
class StreamsCommandIT extends EmbeddedBrokerTest {
    @TempDir
    Path dir;

    private int streams(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("streams"));
        all.addAll(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers()));
        var cl = StreamSr.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        return cl.execute(all.toArray(String[]::new));
    }

    @Test
    void applyRegistersChangesAndPrunesWithoutRewritingWhatIsUnchanged() throws Exception {
        Path first = Files.writeString(dir.resolve("streams.yaml"), """
                streams:
                  - {id: file-cam-1, uri: "rtsp://10.0.0.5/1"}
                  - {id: file-cam-2, uri: "srt://10.0.0.6:9000", maxInputSize: 640x360}
                """);
        assertEquals(0, streams("apply", first.toString()));
        try (StreamRegistry registry = new StreamRegistry(kafka, List.of())) {
            assertEquals("640x360", registry.list().get("file-cam-2").maxInputSize());
            assertTrue(registry.list().containsKey("file-cam-1"));
            long before = endOffsets();
            assertEquals(0, streams("apply", first.toString()));
            assertEquals(before, endOffsets(), "re-applying the same file writes nothing, so the streams keep playing");

            Path second = Files.writeString(dir.resolve("second.yaml"), """
                    - {id: file-cam-2, uri: "srt://10.0.0.6:9000", maxInputSize: 320x180}
                    """);
            assertEquals(0, streams("apply", second.toString(), "--prune", "--dry-run"));
            assertTrue(registry.list().containsKey("file-cam-1"), "a dry run changes nothing");
            assertEquals(0, streams("apply", second.toString(), "--prune"));
            assertFalse(registry.list().containsKey("file-cam-1"), "pruned");
            assertEquals("320x180", registry.list().get("file-cam-2").maxInputSize(), "changed");

            Path broken = Files.writeString(dir.resolve("broken.yaml"), """
                    - {id: file-cam-3, uri: "rtsp://10.0.0.7/1"}
                    - {id: "bad id", uri: "rtsp://10.0.0.8/1"}
                    """);
            assertEquals(1, streams("apply", broken.toString()));
            assertFalse(registry.list().containsKey("file-cam-3"), "nothing of an invalid file is applied");

            assertEquals(0, streams("delete", "file-cam-2"));
            assertFalse(registry.list().containsKey("file-cam-2"));
            assertEquals(3, streams("delete", "file-cam-2"), "deleting an unknown stream says so");
        }
    }

    private long endOffsets() {
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(kafka.consumer("offsets-" + System.nanoTime(), false))) {
            var parts = c.partitionsFor(dev.streamsr.kafka.Topics.STREAMS).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
