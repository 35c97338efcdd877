package dev.streamsr.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second broker on a data directory in use is refused before it touches anything; the first one is unharmed. */
class DataDirInUseIT {
    @TempDir
    Path tmp;

    @Test
    void aSecondBrokerOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsRunning() throws Exception {
        Path data = tmp.resolve("kafka");
        try (EmbeddedKafka first = EmbeddedKafka.start(data, 0, FrameLimits.defaults())) {
            Map<Path, Long> before = snapshot(data);
            String config = Files.readString(data.resolve("server.properties"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedKafka.start(data, 0, FrameLimits.defaults()));
            assertTrue(e.getMessage().contains("is in use by another running broker") && e.getMessage().contains(data.toString()),
                    e.getMessage());
            assertEquals(before.keySet(), snapshot(data).keySet(), "the second broker created or removed nothing at the top level");
            assertEquals(config, Files.readString(data.resolve("server.properties")), "the second broker did not rewrite the first one's configuration");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()))) {
                assertEquals(1, admin.describeCluster().nodes().get().size(), "the first broker still answers");
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic("after", 1, (short) 1))).all().get();
            }
        }
        // Released on close: the directory can be used again.
        try (EmbeddedKafka again = EmbeddedKafka.start(data, 0, FrameLimits.defaults())) {
            assertTrue(again.bootstrapServers().startsWith("127.0.0.1:"));
        }
    }

    private static Map<Path, Long> snapshot(Path dir) throws Exception {
        Map<Path, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                out.put(p, Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
