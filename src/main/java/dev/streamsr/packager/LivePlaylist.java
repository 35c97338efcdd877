package dev.streamsr.packager;

import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rendition's media playlist, kept across writer pipelines: segment numbers continue when a
 * stream changes size or the packager restarts, and the first segment of a new timeline carries
 * {@code #EXT-X-DISCONTINUITY}, so players reset their decoder instead of stopping. The media
 * sequence is the number of the first listed segment, so it stays right across restarts too.
 */
final class LivePlaylist {
    private static final Logger log = LoggerFactory.getLogger(LivePlaylist.class);
    static final String NAME = "index.m3u8";
    private static final Pattern SEGMENT = Pattern.compile("segment(\\d{5,})\\.ts");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PUBLIC_READ =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

    /** {@code programDateTime}: wall time of the segment's first frame at ingest; null when not known (an older playlist). */
    private record Segment(long index, double seconds, boolean discontinuity, OffsetDateTime programDateTime, long bytes) {
        String uri() {
            return fileName(index);
        }
    }

    private final Path dir;
    private final int length;
    private final int maxFiles;
    private final Deque<Segment> listed = new ArrayDeque<>();
    private final Deque<Long> onDisk = new ArrayDeque<>();
    private int targetSeconds;
    private long nextIndex;
    private long discontinuitySequence;
    private boolean pendingDiscontinuity;

    private LivePlaylist(Path dir, HlsSettings settings) {
        this.dir = dir;
        this.length = settings.playlistLength();
        this.maxFiles = settings.maxFiles();
        this.targetSeconds = settings.segmentSeconds();
    }

    /**
     * Opens the playlist in {@code dir}, continuing one a previous packager left there: its
     * segments stay listed and the next one starts a new timeline.
     */
    static LivePlaylist open(Path dir, HlsSettings settings) {
        LivePlaylist p = new LivePlaylist(dir, settings);
        Path file = dir.resolve(NAME);
        if (Files.isRegularFile(file)) {
            try {
                MediaPlaylist old = new MediaPlaylistParser().readPlaylist(file);
                long index = old.mediaSequence();
                p.discontinuitySequence = old.discontinuitySequence();
                p.targetSeconds = Math.max(p.targetSeconds, old.targetDuration());
                for (MediaSegment s : old.mediaSegments()) {
                    Matcher m = SEGMENT.matcher(s.uri());
                    long i = m.matches() ? Long.parseLong(m.group(1)) : index;
                    p.listed.addLast(new Segment(i, s.duration(), s.discontinuity(), s.programDateTime().orElse(null), 0));
                    p.onDisk.addLast(i);
                    index = i + 1;
                }
                p.nextIndex = index;
                p.pendingDiscontinuity = !p.listed.isEmpty();
                log.info("continuing playlist {} at segment {}", file, p.nextIndex);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot read old playlist {} ({}); starting a new one", file, e.getMessage());
            }
        }
        return p;
    }

    static String fileName(long index) {
        return String.format("segment%05d.ts", index);
    }

    /** Number the next segment file gets. */
    synchronized long nextIndex() {
        return nextIndex;
    }

    /** The next segment starts a new timeline (new size, new encoder, restarted writer). */
    synchronized void discontinuity() {
        if (!listed.isEmpty() || nextIndex > 0) {
            pendingDiscontinuity = true;
        }
    }

    /**
     * A segment was closed on disk: list it, drop what fell out of the window, rewrite the playlist.
     * {@code firstIngestNanos}: when its first frame was ingested (epoch ns), or a negative number when unknown.
     */
    synchronized void added(String fileName, double seconds, long firstIngestNanos) {
        Matcher m = SEGMENT.matcher(fileName);
        long index = m.matches() ? Long.parseLong(m.group(1)) : nextIndex;
        long bytes;
        try {
            bytes = Files.size(dir.resolve(fileName));
        } catch (IOException e) {
            bytes = 0;
        }
        OffsetDateTime at = firstIngestNanos < 0 ? null
                : Instant.ofEpochSecond(0, firstIngestNanos).atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        listed.addLast(new Segment(index, seconds, pendingDiscontinuity, at, bytes));
        onDisk.addLast(index);
        pendingDiscontinuity = false;
        nextIndex = index + 1;
        // EXTINF rounded must not exceed the target; a late key frame can make a segment longer.
        targetSeconds = Math.max(targetSeconds, (int) Math.ceil(seconds - 1e-6));
        while (length > 0 && listed.size() > length) {
            if (listed.pollFirst().discontinuity()) {
                discontinuitySequence++;
            }
        }
        while (maxFiles > 0 && onDisk.size() > maxFiles) {
            long old = onDisk.pollFirst();
            try {
                Files.deleteIfExists(dir.resolve(fileName(old)));
            } catch (IOException e) {
                log.warn("cannot delete old segment {}: {}", fileName(old), e.toString());
            }
        }
        write(false);
    }

    /** The stream is over: the playlist becomes complete ({@code #EXT-X-ENDLIST}). */
    synchronized void end() {
        write(true);
    }

    synchronized int segments() {
        return listed.size();
    }

    /** The highest bit rate of a listed segment, for a multivariant playlist's BANDWIDTH; 0 before the first. */
    synchronized long peakBitsPerSecond() {
        return listed.stream().filter(s -> s.bytes() > 0 && s.seconds() > 0).mapToLong(s -> Math.round(s.bytes() * 8 / s.seconds()))
                .max().orElse(0);
    }

    private void write(boolean ended) {
        MediaPlaylist.Builder b = MediaPlaylist.builder()
                .version(3)
                // Every segment starts with a key frame (the encoders' key-frame interval is the segment duration).
                .independentSegments(true)
                .targetDuration(targetSeconds)
                .mediaSequence(listed.isEmpty() ? nextIndex : listed.peekFirst().index())
                .discontinuitySequence(discontinuitySequence)
                .ongoing(!ended);
        for (Segment s : listed) {
            MediaSegment.Builder segment = MediaSegment.builder().duration(s.seconds()).uri(s.uri()).discontinuity(s.discontinuity());
            if (s.programDateTime() != null) {
                segment.programDateTime(s.programDateTime());
            }
            b.addMediaSegments(segment.build());
        }
        byte[] text = new MediaPlaylistParser().writePlaylistAsBytes(b.build());
        try {
            Files.createDirectories(dir);
            // Readers (the HTTP server, players) must never see half a playlist.
            Path tmp = Files.createTempFile(dir, ".index", ".m3u8.tmp");
            Files.write(tmp, text);
            // Readable by other users like the segments beside it (a web server running as its own user).
            try {
                Files.setPosixFilePermissions(tmp, PUBLIC_READ);
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its default permissions apply
            }
            try {
                Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write playlist in " + dir, e);
        }
    }
}
