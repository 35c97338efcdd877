package dev.streamsr.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class FrameHeadersTest {
    private static Frame rgb(int w, int h) {
        return new Frame(StreamId.of("cam-1"), 7, 123_000_000L, w, h, FrameFormat.RGB, false, 99L, dev.streamsr.frame.Fps.parse("30000/1001"), new byte[w * h * 3]);
    }

    @Test
    void aFrameSurvivesTheRoundTripThroughHeaders() {
        Frame f = rgb(4, 2);
        Decoded d = FrameHeaders.decode(f.stream().toKey(), FrameHeaders.of(f), f.payload());
        Frame back = assertInstanceOf(Decoded.FrameRecord.class, d).frame();
        assertEquals(f.stream(), back.stream());
        assertEquals(7, back.seq());
        assertEquals(123_000_000L, back.ptsNanos());
        assertEquals(4, back.width());
        assertEquals(2, back.height());
        assertEquals(FrameFormat.RGB, back.format());
        assertEquals(99L, back.ingestNanos());
        assertEquals(new Fps(30000, 1001), back.fps());
        assertArrayEquals(f.payload(), back.payload());
    }

    @Test
    void anAudioFrameSurvivesTheRoundTripAndABrokenOneIsRefused() {
        byte[] adts = {(byte) 0xFF, (byte) 0xF1, 0x50, (byte) 0x80, 0x02, 0x1F, (byte) 0xFC, 1, 2};
        AudioFrame a = new AudioFrame(StreamId.of("cam-1"), 40_000_000L, 21_333_333L, 5L, adts);
        Decoded d = FrameHeaders.decode(a.stream().toKey(), FrameHeaders.of(a), a.payload());
        AudioFrame back = assertInstanceOf(Decoded.AudioRecord.class, d).audio();
        assertEquals(40_000_000L, back.ptsNanos());
        assertEquals(21_333_333L, back.durationNanos());
        assertArrayEquals(adts, back.payload());

        Decoded notAdts = FrameHeaders.decode(a.stream().toKey(), FrameHeaders.of(a), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(ContractViolation.WRONG_PAYLOAD_SIZE, assertInstanceOf(Decoded.Invalid.class, notAdts).violation().reason());
        Headers noDuration = FrameHeaders.of(a);
        noDuration.remove(FrameHeaders.DURATION);
        Decoded missing = FrameHeaders.decode(a.stream().toKey(), noDuration, adts);
        assertEquals(ContractViolation.MISSING_HEADER, assertInstanceOf(Decoded.Invalid.class, missing).violation().reason());
    }

    @Test
    void theLiveFlagTravelsOnlyWhenSet() {
        Frame live = new Frame(StreamId.of("cam"), 1, 2, 4, 2, FrameFormat.RGB, false, 3, dev.streamsr.frame.Fps.parse("30/1"), new byte[24], true);
        var h = FrameHeaders.of(live);
        assertTrue(((Decoded.FrameRecord) FrameHeaders.decode(live.stream().toKey(), h, live.payload())).frame().live());
        Frame file = new Frame(StreamId.of("cam"), 1, 2, 4, 2, FrameFormat.RGB, false, 3, dev.streamsr.frame.Fps.parse("30/1"), new byte[24]);
        var fh = FrameHeaders.of(file);
        assertEquals(null, fh.lastHeader(FrameHeaders.LIVE));
        assertFalse(((Decoded.FrameRecord) FrameHeaders.decode(file.stream().toKey(), fh, file.payload())).frame().live());
    }

    @Test
    void theModelAStreamAsksForTravelsAndAnUnknownOneIsAContractViolation() {
        Frame f = new Frame(StreamId.of("cam"), 1, 2, 4, 2, FrameFormat.RGB, false, 3, Fps.parse("30/1"), new byte[24], true, Tuning.CAMERA);
        Headers h = FrameHeaders.of(f);
        assertEquals("camera", new String(h.lastHeader(FrameHeaders.MODEL).value(), StandardCharsets.UTF_8));
        Frame back = ((Decoded.FrameRecord) FrameHeaders.decode(f.stream().toKey(), h, f.payload())).frame();
        assertEquals(Tuning.CAMERA, back.tuning());
        assertEquals(Tuning.CAMERA, back.withPayload(FrameFormat.H264, 16, 8, true, new byte[] {1}).tuning(), "the upscaled frame keeps it");
        assertNull(FrameHeaders.of(rgb(4, 2)).lastHeader(FrameHeaders.MODEL), "no header for the default");
        assertNull(((Decoded.FrameRecord) FrameHeaders.decode(f.stream().toKey(), FrameHeaders.of(rgb(4, 2)), new byte[24])).frame().tuning());
        h.remove(FrameHeaders.MODEL);
        h.add(FrameHeaders.MODEL, "../models/x".getBytes(StandardCharsets.UTF_8));
        var bad = assertInstanceOf(Decoded.Invalid.class, FrameHeaders.decode(f.stream().toKey(), h, f.payload()));
        assertEquals(ContractViolation.BAD_HEADER, bad.violation().reason());
        assertTrue(bad.violation().detail().contains("model must be auto, camera or stream"), bad.violation().detail());
    }

    @Test
    void headersAreReadableText() {
        Headers h = FrameHeaders.of(rgb(4, 2));
        assertEquals("7", new String(h.lastHeader(FrameHeaders.SEQ).value(), StandardCharsets.UTF_8));
        assertEquals("RGB", new String(h.lastHeader(FrameHeaders.FORMAT).value(), StandardCharsets.UTF_8));
        assertNull(h.lastHeader(FrameHeaders.KEYFRAME), "keyframe is an sr-only header");
    }

    @Test
    void h264FramesCarryTheKeyframeFlag() {
        Frame f = new Frame(StreamId.of("a"), 0, 0, 16, 16, FrameFormat.H264, true, 1, dev.streamsr.frame.Fps.parse("25/1"), new byte[] {0, 0, 0, 1, 0x65});
        Frame back = ((Decoded.FrameRecord) FrameHeaders.decode(f.stream().toKey(), FrameHeaders.of(f), f.payload())).frame();
        assertEquals(true, back.keyframe());
    }

    @Test
    void aRecordWithoutHeadersIsAContractViolation() {
        Decoded d = FrameHeaders.decode("cam".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), new byte[12]);
        Decoded.Invalid bad = assertInstanceOf(Decoded.Invalid.class, d);
        assertEquals(StreamId.of("cam"), bad.stream());
        assertEquals(ContractViolation.MISSING_HEADER, bad.violation().reason());
    }

    @Test
    void aWrongPayloadSizeIsRejectedWithTheSizes() {
        Frame f = rgb(4, 2);
        Decoded d = FrameHeaders.decode(f.stream().toKey(), FrameHeaders.of(f), new byte[23]);
        Decoded.Invalid bad = assertInstanceOf(Decoded.Invalid.class, d);
        assertEquals(ContractViolation.WRONG_PAYLOAD_SIZE, bad.violation().reason());
        assertEquals("RGB 4x2 needs 24 bytes, payload has 23", bad.violation().detail());
    }

    @Test
    void anUnknownFormatIsRejected() {
        Frame f = rgb(4, 2);
        Headers h = FrameHeaders.of(f);
        h.remove(FrameHeaders.FORMAT);
        h.add(FrameHeaders.FORMAT, "NV12".getBytes(StandardCharsets.UTF_8));
        Decoded.Invalid bad = assertInstanceOf(Decoded.Invalid.class, FrameHeaders.decode(f.stream().toKey(), h, f.payload()));
        assertEquals(ContractViolation.UNKNOWN_FORMAT, bad.violation().reason());
    }

    @Test
    void anInvalidKeyIsRejectedWithoutAStream() {
        Frame f = rgb(4, 2);
        Decoded.Invalid bad = assertInstanceOf(Decoded.Invalid.class,
                FrameHeaders.decode("no spaces allowed".getBytes(StandardCharsets.UTF_8), FrameHeaders.of(f), f.payload()));
        assertNull(bad.stream());
        assertEquals(ContractViolation.BAD_KEY, bad.violation().reason());
    }

    @Test
    void i420PayloadsAreHalfOfRgb() {
        assertEquals(640 * 360 * 3 / 2, FrameFormat.I420.payloadBytes(640, 360));
        assertEquals(640 * 360 * 3, FrameFormat.RGB.payloadBytes(640, 360));
    }

    @Test
    void theEndOfStreamMarkerRoundTrips() {
        EndOfStream end = new EndOfStream(StreamId.of("cam"), 795, 5);
        Decoded d = FrameHeaders.decode(end.stream().toKey(), FrameHeaders.of(end), new byte[0]);
        assertEquals(end, assertInstanceOf(Decoded.EndRecord.class, d).end());
    }
}
