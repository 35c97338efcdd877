package dev.streamsr.serve;

/** One stream as {@code /streams} reports it. */
public record StreamView(String id, String state, Size input, Size output, String fps, long frames,
                         String playlist, String sourcePlaylist) {
    public record Size(int width, int height) {
    }
}
