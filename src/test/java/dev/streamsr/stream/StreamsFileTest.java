package dev.streamsr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsFileTest {
    @TempDir
    Path dir;

    @Test
    void readsYamlUnderAStreamsKeyAndAJsonArray() throws Exception {
        Path yaml = Files.writeString(dir.resolve("streams.yaml"), """
                streams:
                  - id: lobby
                    uri: rtsp://10.0.0.5/stream1
                    maxInputSize: 640x360
                  - id: gate
                    uri: srt://10.0.0.6:9000
                    enabled: false
                """);
        List<StreamSpec> specs = StreamsFile.read(yaml, List.of());
        assertEquals(List.of(new StreamSpec("lobby", "rtsp://10.0.0.5/stream1", "640x360", null),
                new StreamSpec("gate", "srt://10.0.0.6:9000", null, false)), specs);
        Path json = Files.writeString(dir.resolve("streams.json"), "[{\"id\":\"a\",\"uri\":\"udp://127.0.0.1:5000\"}]");
        assertEquals("a", StreamsFile.read(json, List.of()).get(0).id());
    }

    @Test
    void typosDuplicatesAndBadEntriesAreRefusedWithTheReason() throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "- id: a\n  url: rtsp://x/1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(typo, List.of())).getMessage().contains("url"));
        Path twice = Files.writeString(dir.resolve("twice.yaml"), "- {id: a, uri: 'rtsp://x/1'}\n- {id: a, uri: 'rtsp://x/2'}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(twice, List.of())).getMessage().contains("twice"));
        Path badId = Files.writeString(dir.resolve("bad.yaml"), "- {id: 'no spaces', uri: 'rtsp://x/1'}\n");
        assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(badId, List.of()));
        Path file = Files.writeString(dir.resolve("file.yaml"), "- {id: f, uri: 'file:///etc/passwd'}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(file, List.of(dir))).getMessage()
                .contains("outside the allowed directories"));
        Path notAList = Files.writeString(dir.resolve("map.yaml"), "id: a\n");
        assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(notAList, List.of()));
    }

    @Test
    void aStreamsRegionIsReadAndChecked() throws Exception {
        Path yaml = Files.writeString(dir.resolve("regions.yaml"), "- {id: door, uri: 'rtsp://10.0.0.5/1', region: '0.55,0.3,0.25,0.25'}\n");
        assertEquals("0.55,0.3,0.25,0.25", StreamsFile.read(yaml, List.of()).get(0).roi().toString());
        Path outside = Files.writeString(dir.resolve("outside.yaml"), "- {id: door, uri: 'rtsp://10.0.0.5/1', region: '0.9,0,0.25,1'}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsFile.read(outside, List.of())).getMessage()
                .contains("outside the frame"));
    }
}
