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
    void aReconnectingSourceOverridesTheOutputStateUntilItsReportIsStale() throws Exception {
        write("a", Rendition.SR, "live", 1_000_000);
        var reports = new java.util.HashMap<String, dev.streamsr.stream.SourceStatus>();
        reports.put("a", new dev.streamsr.stream.SourceStatus("a", "reconnecting", "connection refused", 50, 999_000));
        reports.put("b", new dev.streamsr.stream.SourceStatus("b", "reconnecting", "no route", 0, 1_000_000));
        Clock now = Clock.fixed(Instant.ofEpochMilli(1_001_000), ZoneOffset.UTC);
        StreamDirectory dir = new StreamDirectory(root, now, id -> java.util.Optional.ofNullable(reports.get(id)), reports::keySet);
        StreamView a = dir.view("a").orElseThrow();
        assertEquals("reconnecting", a.state(), "the source state comes first");
        assertEquals("connection refused", a.source().error());
        assertEquals(2.0, a.source().ageSeconds(), 1e-9);
        assertEquals("reconnecting", dir.view("b").orElseThrow().state(), "a stream with no output yet is listed from its report");
        assertEquals(java.util.List.of("a", "b"), dir.streams().stream().map(StreamView::id).toList());

        reports.put("a", new dev.streamsr.stream.SourceStatus("a", "reconnecting", "gone", 50, 900_000));
        assertEquals("live", dir.view("a").orElseThrow().state(), "a report 101 s old is from an instance that is gone");
        reports.put("a", new dev.streamsr.stream.SourceStatus("a", "playing", null, 60, 1_000_500));
        assertEquals("live", dir.view("a").orElseThrow().state());
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
        new RenditionStatus(id, r.dirName(), state, w, w * 3 / 4, "10/1", 5, updatedMs, "avc1.42C01E", 800_000).writeTo(d);
    }
}
