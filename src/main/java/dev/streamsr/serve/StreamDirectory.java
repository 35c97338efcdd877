package dev.streamsr.serve;

import dev.streamsr.frame.StreamId;
import dev.streamsr.packager.Rendition;
import dev.streamsr.packager.RenditionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The streams the packager has written under the HLS root, and safe lookups of their files:
 * anything that is not a known stream's playlist or segment resolves to nothing.
 */
public final class StreamDirectory {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.(m3u8|ts)");
    /** A live rendition not updated for this long is reported stalled. */
    private static final long STALL_MS = 5_000;

    private final Path root;
    private final Clock clock;

    public StreamDirectory(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public List<StreamView> streams() {
        List<StreamView> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).sorted(Comparator.comparing(Path::getFileName)).forEach(d -> {
                String name = d.getFileName().toString();
                if (isStreamId(name)) {
                    view(name).ifPresent(out::add);
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    public Optional<StreamView> view(String id) {
        if (!isStreamId(id)) {
            return Optional.empty();
        }
        Path dir = root.resolve(id);
        RenditionStatus sr = RenditionStatus.readFrom(dir.resolve(Rendition.SR.dirName()));
        RenditionStatus source = RenditionStatus.readFrom(dir.resolve(Rendition.SOURCE.dirName()));
        if (sr == null && source == null) {
            return Optional.empty();
        }
        String state;
        if (sr == null) {
            state = "starting";
        } else if ("ended".equals(sr.state())) {
            state = "ended";
        } else {
            state = clock.millis() - sr.updatedMs() > STALL_MS ? "stalled" : "live";
        }
        StreamView.Size in = source == null ? null : new StreamView.Size(source.width(), source.height());
        StreamView.Size outSize = sr == null ? null : new StreamView.Size(sr.width(), sr.height());
        String fps = sr != null ? sr.fps() : source.fps();
        long frames = sr != null ? sr.frames() : 0;
        return Optional.of(new StreamView(id, state, in, outSize, fps, frames,
                "/streams/" + id + "/index.m3u8", "/streams/" + id + "/source/index.m3u8"));
    }

    /** The file for a request, only if it is a playlist or segment of a known stream inside the root. */
    public Optional<Path> file(String id, Rendition rendition, String fileName) {
        if (!isStreamId(id) || fileName == null || !FILE_NAME.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Path file = root.resolve(id).resolve(rendition.dirName()).resolve(fileName).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(file);
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
