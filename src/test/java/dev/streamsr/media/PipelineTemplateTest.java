package dev.streamsr.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineTemplateTest {
    @Test
    void fillsNamedParametersAndDropsComments() {
        PipelineTemplate t = new PipelineTemplate("t", "filesrc location=\"${location}\" ! ${caps} ! fakesink");
        assertEquals("filesrc location=\"/a b.mp4\" ! video/x-raw ! fakesink", t.fill(Map.of("location", "/a b.mp4", "caps", "video/x-raw")));
        PipelineTemplate loaded = PipelineTemplate.load("source-file");
        assertTrue(!loaded.text().contains("#") && loaded.text().startsWith("filesrc"), loaded.text());
    }

    @Test
    void aMissingParameterIsAnError() {
        PipelineTemplate t = new PipelineTemplate("t", "a=${one} b=${two}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fill(Map.of("one", "1")));
        assertTrue(e.getMessage().contains("'two'"), e.getMessage());
    }

    @Test
    void aValueThatWouldBreakQuotingIsRefused() {
        PipelineTemplate t = new PipelineTemplate("t", "filesrc location=\"${location}\"");
        assertThrows(IllegalArgumentException.class, () -> t.fill(Map.of("location", "x\" ! filesink location=/etc/passwd")));
    }

    @Test
    void everyShippedTemplateLoads() {
        for (String name : new String[] {"source-file", "source-test", "source-rtsp", "source-srt", "source-udp", "source-hls",
                "encode-h264", "package-hls", "package-hls-audio", "source-audio"}) {
            assertTrue(PipelineTemplate.load(name).text().length() > 20, name);
        }
    }
}
