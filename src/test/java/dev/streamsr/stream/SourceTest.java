package dev.streamsr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

}
