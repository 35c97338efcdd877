package dev.streamsr.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this process, Java and native alike, from {@code /proc/self/task}, summed by
 * the part of the flow it belongs to. Native threads inherit the name of the thread that started
 * them: ONNX Runtime's intra-op pool carries the Kafka Streams thread's name, x264's workers that
 * of the encoder's appsrc ({@code raw1280x720:src}). The Streams thread's own time, read through
 * the JVM, is taken out of its group, so what is left there is the engine's pool.
 */
final class ThreadCpu {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux
    private static final String ENGINE = "engine: the upscale stream thread and ONNX Runtime's intra-op pool";
    private final Map<String, Long> ticksByThread;
    private final long streamThreadNanos;

    private ThreadCpu(Map<String, Long> ticksByThread, long streamThreadNanos) {
        this.ticksByThread = ticksByThread;
        this.streamThreadNanos = streamThreadNanos;
    }

    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** Every thread's CPU ticks now, keyed by tid and name. */
    static ThreadCpu now() {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(t.getFileName() + "/" + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between listing and reading.
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long streams = 0;
        for (var info : mx.dumpAllThreads(false, false)) {
            if (info.getThreadName().contains("StreamThread")) {
                streams += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
            }
        }
        return new ThreadCpu(ticks, streams);
    }

    /**
     * CPU nanoseconds per part between {@code before} and this snapshot, largest first.
     * {@code engineWallNanos}: the engine calls' wall time in the same window.
     */
    Map<String, Long> since(ThreadCpu before, double engineWallNanos) {
        Map<String, Long> parts = new TreeMap<>();
        ticksByThread.forEach((key, t) -> {
            long d = (t - before.ticksByThread.getOrDefault(key, 0L)) * TICK_NANOS;
            parts.merge(part(key.substring(key.indexOf('/') + 1)), d, Long::sum);
        });
        // The calling thread works inside the engine call and waits for the encoder outside it, so its CPU
        // time cannot be split by wall time; its share beyond the engine call's wall time, if any, is shown.
        long streamThread = streamThreadNanos - before.streamThreadNanos;
        long beyond = streamThread - (long) engineWallNanos;
        if (beyond > 0) {
            parts.merge(ENGINE, -beyond, Long::sum);
            parts.merge("upscale stream thread beyond the engine call's wall time (consume, history, encoder hand-off, produce)", beyond, Long::sum);
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        parts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    static String part(String comm) {
        if (comm.contains("upscale")) {
            return ENGINE;
        }
        if (comm.startsWith("pool-")) {
            return "GStreamer task pool (streaming threads of sources and muxers)";
        }
        if (comm.startsWith("raw")) {
            return comm.matches("raw(\\d+)x(\\d+).*") && Integer.parseInt(comm.replaceAll("raw(\\d+)x.*", "$1")) >= 640
                    ? "x264 + videoconvert, SR rendition" : "x264 + videoconvert, source rendition";
        }
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "JIT compiler";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1") || comm.equals("VM Thread")) {
            return "GC and VM";
        }
        if (comm.startsWith("data-plane") || comm.startsWith("kafka-") && !comm.startsWith("kafka-producer") || comm.startsWith("quorum")
                || comm.startsWith("group-coord") || comm.startsWith("TxnMarker") || comm.startsWith("AddPartitions")
                || comm.startsWith("broker-") || comm.startsWith("transaction") || comm.startsWith("share-coord")
                || comm.startsWith("ExpirationRea") || comm.startsWith("network-parti") || comm.startsWith("controller")
                || comm.startsWith("LogDirFailure") || comm.startsWith("ReplicaFetcher")) {
            return "Kafka broker (embedded)";
        }
        if (comm.startsWith("kafka-producer") || comm.startsWith("ingest-") || comm.startsWith("videotestsrc") || comm.startsWith("frames")
                || comm.contains("decodebin") || comm.startsWith("source")) {
            return "ingest (decode, produce)";
        }
        if (comm.startsWith("package") || comm.startsWith("muxer") || comm.startsWith("queue") || comm.startsWith("video:src")
                || comm.startsWith("splitmux") || comm.startsWith("h264parse")) {
            return "packager (consume, mux, write)";
        }
        return "other (" + comm.replaceAll("\\d+", "#") + ")";
    }
}
