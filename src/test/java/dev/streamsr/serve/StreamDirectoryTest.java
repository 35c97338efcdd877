package dev.streamsr.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.packager.Rendition;
import dev.streamsr.packager.RenditionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamDirectoryTest {
    @TempDir
    Path root;

    @Test
    void reportsLiveStalledAndEndedStreams() throws Exception {
        write("a", Rendition.SR, "live", 1_000_000);
        write("a", Rendition.SOURCE, "live", 1_000_000);
        write("b", Rendition.SR, "live", 900_000);
        write("c", Rendition.SR, "ended", 1);
        StreamDirectory dir = new StreamDirectory(root, Clock.fixed(Instant.ofEpochMilli(1_001_000), ZoneOffset.UTC));
        assertEquals("live", dir.view("a").orElseThrow().state());
        assertEquals(new StreamView.Size(80, 60), dir.view("a").orElseThrow().input());
        assertEquals(new StreamView.Size(320, 240), dir.view("a").orElseThrow().output());
        assertEquals("stalled", dir.view("b").orElseThrow().state());
        assertEquals("ended", dir.view("c").orElseThrow().state());
        assertEquals(3, dir.streams().size());
        assertTrue(dir.view("unknown").isEmpty());
    }

    @Test
    void onlyPlaylistsAndSegmentsOfKnownStreamsResolve() throws Exception {
        write("a", Rendition.SR, "live", 1);
        Files.writeString(root.resolve("a/sr/index.m3u8"), "#EXTM3U");
        Files.writeString(root.resolve("secret.ts"), "x");
        StreamDirectory dir = new StreamDirectory(root, Clock.systemUTC());
        assertTrue(dir.file("a", Rendition.SR, "index.m3u8").isPresent());
        assertTrue(dir.file("a", Rendition.SR, "status.json").isEmpty(), "only .m3u8 and .ts are served");
        assertTrue(dir.file("..", Rendition.SR, "secret.ts").isEmpty());
        assertTrue(dir.file("a", Rendition.SR, "../../secret.ts").isEmpty());
        assertTrue(dir.file("a", Rendition.SR, "missing.ts").isEmpty());
        assertTrue(dir.file("b", Rendition.SR, "index.m3u8").isEmpty());
    }

    private void write(String id, Rendition r, String state, long updatedMs) throws Exception {
        Path d = root.resolve(id).resolve(r.dirName());
        Files.createDirectories(d);
        int w = r == Rendition.SR ? 320 : 80;
        new RenditionStatus(id, r.dirName(), state, w, w * 3 / 4, "10/1", 5, updatedMs).writeTo(d);
    }
}
