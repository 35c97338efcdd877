package dev.streamsr.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * TensorRT plans and timing caches on disk. A plan is only valid for the model bytes, GPU model,
 * TensorRT version and optimisation profiles it was built for, so all four are in its key; a
 * restart with the same four reads the plan instead of spending minutes rebuilding it.
 */
public final class PlanCache {
    private final Path dir;

    public PlanCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The cache key of a plan: readable parts first, then what makes it unique. */
    public static String key(String modelHash, String gpuName, String tensorRtVersion, Profiles profiles, boolean fp16) {
        return "%s-%s-trt%s-%s-%s".formatted(modelHash.substring(0, 16), slug(gpuName), slug(tensorRtVersion),
                profiles.signature(), fp16 ? "fp16" : "fp32");
    }

    public Path plan(String key) {
        return dir.resolve(key + ".plan");
    }

    /** One timing cache per GPU model and TensorRT version: layer timings carry over between models. */
    public Path timingCache(String gpuName, String tensorRtVersion) {
        return dir.resolve("timing-" + slug(gpuName) + "-trt" + slug(tensorRtVersion) + ".cache");
    }

    public Optional<byte[]> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes through a temporary file so that a pod killed mid-write never leaves half a plan. */
    public void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String slug(String s) {
        String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return out.isEmpty() ? "unknown" : out;
    }
}
