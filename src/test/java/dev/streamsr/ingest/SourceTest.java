package dev.streamsr.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import org.junit.jupiter.api.Test;

class SourceTest {
    private static final StreamId ID = StreamId.of("cam");

    @Test
    void recognisesEverySourceKind() {
        assertEquals(SourceKind.FILE, Source.parse(ID, "/tmp/a.mp4", false).kind());
        assertEquals(SourceKind.FILE, Source.parse(ID, "file:///tmp/a.mp4", false).kind());
        assertEquals(SourceKind.TEST, Source.parse(ID, "test://ball?size=320x180", false).kind());
        assertEquals(SourceKind.RTSP, Source.parse(ID, "rtsp://127.0.0.1:8554/cam", false).kind());
        assertEquals(SourceKind.SRT, Source.parse(ID, "srt://127.0.0.1:9000", false).kind());
        assertEquals(SourceKind.UDP, Source.parse(ID, "udp://127.0.0.1:5000", false).kind());
        assertEquals(SourceKind.RTMP, Source.parse(ID, "rtmp://127.0.0.1:1935/live/cam", false).kind());
        assertEquals(SourceKind.HLS, Source.parse(ID, "https://example.org/live.m3u8", false).kind());
    }

    @Test
    void liveSourcesRestartFilesDoNotUnlessLooped() {
        assertTrue(Source.parse(ID, "udp://127.0.0.1:5000", false).restartable());
        assertFalse(Source.parse(ID, "/tmp/a.mp4", false).restartable());
        assertTrue(Source.parse(ID, "/tmp/a.mp4", true).restartable());
    }

    @Test
    void unknownSchemesNameTheStream() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Source.parse(ID, "gopher://x", false));
        assertTrue(e.getMessage().startsWith("stream cam:"), e.getMessage());
    }

    @Test
    void capsKeepAspectAndEvenSides() {
        IngestSettings s = IngestSettings.defaults().withMaxInputSize(new FrameSize(641, 361));
        assertEquals("video/x-raw,format=RGB,width=[2,640,2],height=[2,360,2],pixel-aspect-ratio=1/1", SourcePipeline.caps(s));
    }

    @Test
    void liveSourcesUseALeakyAppsinkFilesBackPressure() {
        assertTrue(SourcePipeline.appsinkProperties(Source.parse(ID, "udp://127.0.0.1:5000", false)).contains("drop=true"));
        assertTrue(SourcePipeline.appsinkProperties(Source.parse(ID, "/tmp/a.mp4", false)).contains("drop=false"));
        assertTrue(SourcePipeline.appsinkProperties(Source.parse(ID, "/tmp/a.mp4", true)).contains("sync=true"));
    }

    @Test
    void filledPipelinesComeFromTheTemplates() {
        String p = SourcePipeline.describe(Source.parse(ID, "udp://127.0.0.1:5000", false), IngestSettings.defaults());
        assertTrue(p.startsWith("udpsrc uri=\"udp://127.0.0.1:5000\""), p);
        assertFalse(p.contains("${"), p);
        String t = SourcePipeline.describe(Source.parse(ID, "test://ball?size=320x180&fps=25/1&frames=10", false), IngestSettings.defaults());
        assertTrue(t.contains("pattern=ball") && t.contains("num-buffers=10") && t.contains("width=320,height=180,framerate=25/1"), t);
    }
}
