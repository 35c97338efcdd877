package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TestMedia;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that changes resolution mid-stream (a camera reconfigured): the output goes on, the
 * upscaler starts a fresh history, and the HLS playlist marks the change with
 * #EXT-X-DISCONTINUITY while segment numbers simply continue.
 */
class ResolutionChangeIT extends EmbeddedBrokerTest {
    @TempDir
    Path tmp;

    @Test
    void aSizeChangeContinuesTheOutputBehindAnHlsDiscontinuity() throws Exception {
        Path first = tmp.resolve("a.ts");
        Path second = tmp.resolve("b.ts");
        TestMedia.run("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=75", "pattern=ball", "!", "video/x-raw,width=160,height=120,framerate=25/1",
                "!", "x264enc", "key-int-max=25", "!", "h264parse", "!", "mpegtsmux", "!", "filesink", "location=" + first);
        TestMedia.run("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=75", "pattern=smpte", "!", "video/x-raw,width=192,height=144,framerate=25/1",
                "!", "x264enc", "key-int-max=25", "!", "h264parse", "!", "mpegtsmux", "!", "filesink", "location=" + second);
        Path clip = tmp.resolve("sizes.ts");
        Files.write(clip, Files.readAllBytes(first));
        Files.write(clip, Files.readAllBytes(second), java.nio.file.StandardOpenOption.APPEND);

        Path hls = tmp.resolve("hls");
        try (Flow flow = new Flow(kafka)) {
            Path playlistFile = Flows.fileToHls(flow, clip, "cam", hls);

            MediaPlaylist playlist = new MediaPlaylistParser().readPlaylist(playlistFile);
            List<MediaSegment> segments = playlist.mediaSegments();
            assertEquals(0, playlist.mediaSequence());
            int changeAt = -1;
            int frames = 0;
            for (int i = 0; i < segments.size(); i++) {
                MediaSegment s = segments.get(i);
                assertEquals(String.format("segment%05d.ts", i), s.uri(), "segment numbers continue across the change");
                List<TestMedia.Decoded> decoded = TestMedia.decodeTs(hls.resolve("cam/sr").resolve(s.uri()));
                assertFalse(decoded.isEmpty(), s.uri() + " decodes on its own");
                FrameSize size = decoded.get(0).size();
                for (TestMedia.Decoded d : decoded) {
                    assertEquals(size, d.size(), s.uri() + " holds one size");
                }
                frames += decoded.size();
                if (s.discontinuity()) {
                    assertEquals(-1, changeAt, "one discontinuity only");
                    changeAt = i;
                }
                FrameSize expected = changeAt < 0 ? new FrameSize(640, 480) : new FrameSize(768, 576);
                assertEquals(expected, size, s.uri() + (changeAt < 0 ? " is before" : " is after") + " the change");
            }
            assertTrue(changeAt > 0, "the change is marked with #EXT-X-DISCONTINUITY: " + Files.readString(playlistFile));
            assertEquals(150, frames, "no frame lost at the change");
            double resets = flow.registry.find("streamsr.upscale.history.resets").tag("stream", "cam").counter().count();
            assertEquals(1.0, resets, "the upscaler started a fresh history once, at the new size");
        }
    }
}
