package dev.streamsr.serve;

/**
 * One stream as {@code /streams} reports it. {@code state} is the output's (starting, live,
 * stalled, ended) unless the source is reconnecting or failed, which an operator needs to see
 * first; {@code source} is what ingest last said, or null where no ingest reports.
 */
public record StreamView(String id, String state, Size input, Size output, String fps, long frames,
                         String playlist, String sourcePlaylist, Source source) {
    public record Size(int width, int height) {
    }

    /** {@code ageSeconds}: how old ingest's report is (it repeats every 5 s while it runs). */
    public record Source(String state, String error, long frames, double ageSeconds) {
    }
}
