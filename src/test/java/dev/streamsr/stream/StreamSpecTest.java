package dev.streamsr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamSpecTest {
    private static final List<Path> ROOTS = List.of(Path.of("/srv/media"));

    @Test
    void roundTripsThroughJson() {
        StreamSpec s = new StreamSpec("lobby", "rtsp://cam/1", "640x360", false);
        assertEquals(s, StreamSpec.fromJson(s.toJson()));
        assertFalse(s.isEnabled());
        assertTrue(new StreamSpec("a", "rtsp://cam/1", null, null).isEnabled());
    }

    @Test
    void refusesWhatAnApiMustNotAccept() {
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("bad id", "rtsp://x/1", null, null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a", "", null, null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a", "/etc/passwd", null, null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a", "file:///etc/passwd", null, null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a", "file:///srv/media/../../etc/passwd", null, null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a", "rtsp://x/1", "big", null).validate(ROOTS));
        assertThrows(IllegalArgumentException.class, () -> StreamSpec.fromJson("{\"id\":".getBytes()));
        new StreamSpec("a", "file:///srv/media/clip.mp4", "320x240", true).validate(ROOTS);
        new StreamSpec("a", "srt://10.0.0.6:9000", null, null).validate(ROOTS);
    }

    @Test
    void anOutputIsARestreamTargetAndItsSecretsAreMasked() {
        StreamSpec s = new StreamSpec("lobby", "rtsp://cam/1", null, true, null, "rtmp://cdn.example:1935/live/secret-key");
        assertEquals(s, StreamSpec.fromJson(s.toJson()).validate(ROOTS));
        assertEquals("rtmp://cdn.example:1935/***", s.masked().output());
        assertEquals("srt://nvr:9000/***", s.withOutput("srt://nvr:9000?passphrase=hunter22").masked().output());
        assertEquals("srt://nvr:9000", s.withOutput("srt://nvr:9000").masked().output());
        new StreamSpec("lobby", "rtsp://cam/1", null, true, null, "rtsp://nvr:8554/lobby").validate(ROOTS);
        for (String bad : new String[] {"http://cdn/live", "udp://1.2.3.4:5000", "no scheme", "rtmp://" + "x".repeat(5000)}) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.withOutput(bad).validate(ROOTS), bad);
            assertTrue(e.getMessage().contains("srt://, rtmp:// or rtsp://"), e.getMessage());
        }
        assertEquals(null, s.withOutput("  ").normalized().output());
    }

    @Test
    void aStreamAsksForATunedModelByNameAndAutoMeansTheDefault() {
        StreamSpec cam = new StreamSpec("lobby", "rtsp://cam/1", null, true);
        assertEquals(null, cam.tuning(), "auto: the default model, whatever the source's kind");
        assertEquals(dev.streamsr.frame.Tuning.CAMERA, cam.withModel("camera").validate(ROOTS).tuning());
        StreamSpec named = cam.withModel("stream");
        assertEquals(dev.streamsr.frame.Tuning.STREAM, named.validate(ROOTS).tuning());
        assertEquals(named, StreamSpec.fromJson(named.toJson()));
        assertEquals("stream", named.masked().model());
        assertEquals(null, cam.withModel("auto").normalized().model(), "auto is the default");
        assertEquals(cam.normalized(), cam.withModel("auto").normalized());
        for (String bad : new String[] {"STREAM", "streamsr-tiny-x4", "../models/x", "x".repeat(5000)}) {
            var e = assertThrows(IllegalArgumentException.class, () -> cam.withModel(bad).validate(ROOTS), bad);
            assertTrue(e.getMessage().contains("model must be auto, camera or stream") && e.getMessage().length() < 200, e.getMessage());
        }
    }
}
