package dev.streamsr.packager;

import java.nio.file.Path;

/**
 * Where and how HLS is written. {@code playlistLength} 0 keeps every segment in the playlist and
 * {@code maxFiles} 0 never deletes one: together they make a finished stream a complete VOD.
 */
public record HlsSettings(Path root, int segmentSeconds, int playlistLength, int maxFiles) {
    public HlsSettings {
        if (segmentSeconds < 1) {
            throw new IllegalArgumentException("segment duration must be at least 1 s");
        }
        if (playlistLength < 0 || maxFiles < 0) {
            throw new IllegalArgumentException("playlist length and max files must be >= 0");
        }
        if (maxFiles > 0 && playlistLength > 0 && maxFiles < playlistLength + 1) {
            throw new IllegalArgumentException("max files (" + maxFiles + ") must exceed the playlist length (" + playlistLength
                    + ") or players fetch deleted segments");
        }
    }

    public static HlsSettings live(Path root) {
        return new HlsSettings(root, 2, 6, 10);
    }

    public Path streamDir(String stream, Rendition rendition) {
        return root.resolve(stream).resolve(rendition.dirName());
    }
}
