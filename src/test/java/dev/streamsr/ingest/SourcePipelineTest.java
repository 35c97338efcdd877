package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import org.junit.jupiter.api.Test;

/** The GStreamer description a source becomes. */
class SourcePipelineTest {
    private static final StreamId ID = StreamId.of("cam");

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
