package dev.streamsr.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a broker data directory, taken before the broker formats or opens it.
 * Kafka's own lock comes too late: a second broker got as far as starting its controller, and
 * the running one then died with a corrupt metadata log.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = ".streamsr.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dir) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                throw new IllegalStateException("Kafka data directory " + dir + " is in use by another running broker; stop it first or"
                        + " choose another --data-dir");
            }
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot lock Kafka data directory " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing held.
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Released with the channel below.
        }
        close(channel);
    }
}
