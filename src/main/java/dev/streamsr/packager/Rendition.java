package dev.streamsr.packager;

/** The two renditions of a stream: the upscaled output and the source for comparison. */
public enum Rendition {
    SR("sr"), SOURCE("source");

    private final String dirName;

    Rendition(String dirName) {
        this.dirName = dirName;
    }

    public String dirName() {
        return dirName;
    }
}
