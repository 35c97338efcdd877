package dev.streamsr.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LivePlaylistTest {
    @TempDir
    Path dir;

    private MediaPlaylist read() throws Exception {
        return new MediaPlaylistParser().readPlaylist(dir.resolve("index.m3u8"));
    }

    private void segment(LivePlaylist p, double seconds) throws Exception {
        String name = LivePlaylist.fileName(p.nextIndex());
        Files.writeString(dir.resolve(name), "ts");
        p.added(name, seconds, -1);
    }

    @Test
    void aSlidingWindowKeepsMediaSequenceAndDiscontinuitySequenceRight() throws Exception {
        LivePlaylist p = LivePlaylist.open(dir, new HlsSettings(dir, 2, 3, 5));
        segment(p, 2.0);
        segment(p, 2.0);
        p.discontinuity();
        segment(p, 1.5);
        segment(p, 2.0);
        MediaPlaylist m = read();
        assertEquals(1, m.mediaSequence(), "segment 0 left the 3-segment window");
        assertEquals(0, m.discontinuitySequence());
        assertEquals("segment00001.ts", m.mediaSegments().get(0).uri());
        assertTrue(m.mediaSegments().get(1).discontinuity(), "the new timeline starts at segment 2");
        assertTrue(m.ongoing());

        segment(p, 2.0);
        segment(p, 2.0);
        m = read();
        assertEquals(3, m.mediaSequence());
        assertEquals(1, m.discontinuitySequence(), "the discontinuity left the window and is counted");
        assertFalse(m.mediaSegments().stream().anyMatch(s -> s.discontinuity()));

        assertTrue(Files.exists(dir.resolve("segment00001.ts")), "5 files are kept");
        assertFalse(Files.exists(dir.resolve("segment00000.ts")), "older files are deleted");
    }

    @Test
    void aLongSegmentRaisesTheTargetDurationAndEndClosesThePlaylist() throws Exception {
        LivePlaylist p = LivePlaylist.open(dir, new HlsSettings(dir, 2, 0, 0));
        segment(p, 2.0);
        segment(p, 3.2);
        p.end();
        MediaPlaylist m = read();
        assertEquals(4, m.targetDuration(), "EXTINF rounded may not exceed the target");
        assertFalse(m.ongoing(), "#EXT-X-ENDLIST");
        assertTrue(Files.readString(dir.resolve("index.m3u8")).contains("#EXT-X-ENDLIST"));
    }

    @Test
    void aRestartedPackagerContinuesTheNumberingBehindADiscontinuity() throws Exception {
        HlsSettings settings = new HlsSettings(dir, 2, 0, 0);
        LivePlaylist before = LivePlaylist.open(dir, settings);
        segment(before, 2.0);
        segment(before, 2.0);

        LivePlaylist after = LivePlaylist.open(dir, settings);
        assertEquals(2, after.nextIndex(), "no segment file is overwritten");
        segment(after, 2.0);
        MediaPlaylist m = read();
        assertEquals(3, m.mediaSegments().size(), "the old segments stay listed");
        assertEquals("segment00002.ts", m.mediaSegments().get(2).uri());
        assertTrue(m.mediaSegments().get(2).discontinuity(), "the restarted writer's timeline is a new one");
        assertFalse(m.mediaSegments().get(1).discontinuity());
    }

    @Test
    void aFirstTimelineNeedsNoDiscontinuity() throws Exception {
        LivePlaylist p = LivePlaylist.open(dir, new HlsSettings(dir, 2, 0, 0));
        p.discontinuity();
        segment(p, 2.0);
        assertFalse(read().mediaSegments().get(0).discontinuity());
    }

    /** Program date-times from ingest time, independent segments, the peak bit rate, and a playlist other users can read. */
    @Test
    void aPlaylistCarriesWallClockTimeAndIsReadableByOthers() throws Exception {
        LivePlaylist p = LivePlaylist.open(dir, new HlsSettings(dir, 2, 6, 10));
        long ingest = java.time.Instant.parse("2026-11-30T03:00:00.250Z").toEpochMilli() * 1_000_000L;
        String name = LivePlaylist.fileName(p.nextIndex());
        Files.write(dir.resolve(name), new byte[250_000]);
        p.added(name, 2.0, ingest);
        segment(p, 2.0);
        MediaPlaylist m = read();
        assertTrue(m.independentSegments());
        assertEquals(java.time.OffsetDateTime.parse("2026-11-30T03:00:00.250Z"), m.mediaSegments().get(0).programDateTime().orElseThrow());
        assertTrue(m.mediaSegments().get(1).programDateTime().isEmpty(), "no ingest time, no date-time");
        assertEquals(1_000_000L, p.peakBitsPerSecond(), "250 kB in 2 s");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("index.m3u8"))));
        // A packager that continues the playlist keeps the date-times it listed.
        LivePlaylist again = LivePlaylist.open(dir, new HlsSettings(dir, 2, 6, 10));
        segment(again, 2.0);
        assertEquals(java.time.OffsetDateTime.parse("2026-11-30T03:00:00.250Z"), read().mediaSegments().get(0).programDateTime().orElseThrow());
    }
}
