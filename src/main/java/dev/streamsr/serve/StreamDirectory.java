package dev.streamsr.serve;

import dev.streamsr.frame.StreamId;
import dev.streamsr.packager.Rendition;
import dev.streamsr.frame.Fps;
import dev.streamsr.packager.RenditionStatus;
import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.Variant;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.streamsr.stream.SourceStatus;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The streams the packager has written under the HLS root, and safe lookups of their files:
 * anything that is not a known stream's playlist or segment resolves to nothing.
 */
public final class StreamDirectory {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamDirectory.class);
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.(m3u8|ts)");
    /** A live rendition not updated for this long is reported stalled. */
    private static final long STALL_MS = 5_000;

    /** A source report older than this is from an ingest instance that is gone. */
    private static final long REPORT_STALE_MS = 15_000;

    private final Path root;
    private final Clock clock;
    private final Function<String, Optional<SourceStatus>> sources;

    public StreamDirectory(Path root, Clock clock) {
        this(root, clock, id -> Optional.empty(), () -> java.util.Set.of());
    }

    /** With what ingest reports about sources ({@link SourceBoard}): streams that are reconnecting show it. */
    public StreamDirectory(Path root, Clock clock, SourceBoard board) {
        this(root, clock, board::get, () -> board.all().keySet());
    }

    StreamDirectory(Path root, Clock clock, Function<String, Optional<SourceStatus>> sources, Supplier<java.util.Set<String>> reported) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
        this.sources = sources;
        this.reported = reported;
    }

    private final Supplier<java.util.Set<String>> reported;

    /** The {@code hls} part of health: the root the package role writes must be there and readable. */
    public dev.streamsr.metrics.Health.Probe health() {
        return () -> {
            Map<String, Object> detail = Map.of("dir", root.toString());
            if (!Files.isDirectory(root)) {
                return dev.streamsr.metrics.Health.Check.notReady("no directory yet (the package role creates it)", detail);
            }
            if (!Files.isReadable(root) || !Files.isExecutable(root)) {
                return dev.streamsr.metrics.Health.Check.notReady("not readable by this user", detail);
            }
            return dev.streamsr.metrics.Health.Check.up("readable", detail);
        };
    }

    public List<StreamView> streams() {
        java.util.SortedSet<String> ids = new java.util.TreeSet<>(reported.get());
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                dirs.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)).forEach(d -> ids.add(d.getFileName().toString()));
            } catch (IOException e) {
                // The streams ingest reports are still listed; /health/ready says what is wrong with the directory.
                log.warn("cannot list {}: {}", root, e.toString());
            }
        }
        List<StreamView> out = new ArrayList<>();
        ids.stream().filter(StreamDirectory::isStreamId).forEach(id -> view(id).ifPresent(out::add));
        return out;
    }

    public Optional<StreamView> view(String id) {
        if (!isStreamId(id)) {
            return Optional.empty();
        }
        Path dir = root.resolve(id);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && insideRoot(dir).isEmpty()) {
            return Optional.empty(); // a stream directory linked to somewhere else is not ours to describe
        }
        RenditionStatus sr = RenditionStatus.readFrom(dir.resolve(Rendition.SR.dirName()));
        RenditionStatus source = RenditionStatus.readFrom(dir.resolve(Rendition.SOURCE.dirName()));
        StreamView.Source reportedSource = sources.apply(id).map(s -> new StreamView.Source(s.state(), s.error(), s.frames(),
                Math.max(0, clock.millis() - s.updatedMs()) / 1000.0)).orElse(null);
        if (sr == null && source == null && reportedSource == null) {
            return Optional.empty();
        }
        String state;
        boolean current = reportedSource != null && reportedSource.ageSeconds() * 1000 < REPORT_STALE_MS;
        if (current && ("reconnecting".equals(reportedSource.state()) || "failed".equals(reportedSource.state()))) {
            state = reportedSource.state();
        } else if (sr == null) {
            state = "starting";
        } else if ("ended".equals(sr.state())) {
            state = "ended";
        } else {
            state = clock.millis() - sr.updatedMs() > STALL_MS ? "stalled" : "live";
        }
        StreamView.Size in = source == null ? null : new StreamView.Size(source.width(), source.height());
        StreamView.Size outSize = sr == null ? null : new StreamView.Size(sr.width(), sr.height());
        String fps = sr != null ? sr.fps() : source != null ? source.fps() : null;
        long frames = sr != null ? sr.frames() : 0;
        return Optional.of(new StreamView(id, state, in, outSize, fps, frames,
                "/streams/" + id + "/index.m3u8", "/streams/" + id + "/source/index.m3u8", reportedSource));
    }

    /**
     * The stream's multivariant playlist: the upscaled and the source rendition as two variants, with
     * what their status files say (codecs from the SPS, resolution, peak bit rate, frame rate), the
     * upscaled one first. Empty until a rendition has written a segment.
     */
    public Optional<String> multivariant(String id) {
        if (!isStreamId(id)) {
            return Optional.empty();
        }
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || insideRoot(dir).isEmpty()) {
            return Optional.empty();
        }
        MasterPlaylist.Builder master = MasterPlaylist.builder().version(3).independentSegments(true);
        int variants = 0;
        for (Rendition r : new Rendition[] {Rendition.SR, Rendition.SOURCE}) {
            RenditionStatus s = RenditionStatus.readFrom(dir.resolve(r.dirName()));
            if (s == null || s.bandwidth() <= 0 || s.width() <= 0) {
                continue;
            }
            Variant.Builder v = Variant.builder().uri(r == Rendition.SR ? "index.m3u8" : "source/index.m3u8")
                    .bandwidth(s.bandwidth()).resolution(s.width(), s.height());
            if (s.codecs() != null) {
                v.addAllCodecs(java.util.Arrays.asList(s.codecs().split(",")));
            }
            Fps fps = s.fps() == null ? Fps.UNKNOWN : parseFps(s.fps());
            if (fps.known()) {
                v.frameRate(Math.round(fps.perSecond() * 1000) / 1000.0);
            }
            master.addVariants(v.build());
            variants++;
        }
        return variants == 0 ? Optional.empty() : Optional.of(new MasterPlaylistParser().writePlaylistAsString(master.build()));
    }

    private static Fps parseFps(String text) {
        try {
            return Fps.parse(text);
        } catch (IllegalArgumentException e) {
            return Fps.UNKNOWN;
        }
    }

    /** The file for a request, only if it is a playlist or segment of a known stream inside the root. */
    public Optional<Path> file(String id, Rendition rendition, String fileName) {
        if (!isStreamId(id) || fileName == null || !FILE_NAME.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Path file = root.resolve(id).resolve(rendition.dirName()).resolve(fileName).normalize();
        return insideRoot(file).filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The real path of {@code path} (every symlink resolved) when it lies inside the real HLS root:
     * a link planted in the tree, to a file or to a whole stream directory, resolves outside and is refused.
     */
    private Optional<Path> insideRoot(Path path) {
        try {
            Path real = path.toRealPath();
            return real.startsWith(root.toRealPath()) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // missing, or deleted by the rolling playlist meanwhile
        }
    }

    private static boolean isStreamId(String id) {
        try {
            StreamId.of(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
