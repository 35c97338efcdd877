package dev.streamsr.packager;

import dev.streamsr.frame.Frame;
import dev.streamsr.media.AccessUnit;

/**
 * Where a stream's H.264 access units come from: the upscaled rendition's records already carry
 * them ({@link PassThroughUnits}); the source rendition encodes its raw frames ({@link EncodedUnits}).
 */
interface AccessUnits extends AutoCloseable {
    /** The frame's access unit, or null when the frame is refused (dead-lettered or counted by the implementation). */
    AccessUnit of(Frame frame);

    @Override
    void close();
}
