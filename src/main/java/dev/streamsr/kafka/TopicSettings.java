package dev.streamsr.kafka;

/** How the frame topics are created: partitions bound the parallelism of the upscale role. */
public record TopicSettings(int partitions, short replication, long retentionMs) {
    public static TopicSettings defaults() {
        // Frames are only useful while they are fresh: keep ten minutes, enough to recover from a restart.
        return new TopicSettings(4, (short) 1, 600_000L);
    }
}
