package dev.streamsr.frame;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The header side of the record contract. Values are UTF-8 text (decimal numbers, {@code true}/
 * {@code false}, {@code num/den}) so that kcat, kafka-console-consumer and people can read them
 * without knowing a binary layout.
 */
public final class FrameHeaders {
    public static final String SEQ = "streamsr.seq";
    public static final String PTS = "streamsr.pts";
    public static final String WIDTH = "streamsr.width";
    public static final String HEIGHT = "streamsr.height";
    public static final String FORMAT = "streamsr.format";
    public static final String KEYFRAME = "streamsr.keyframe";
    public static final String INGEST_NS = "streamsr.ingest-ns";
    public static final String FPS = "streamsr.fps";
    /** {@code true} on frames of a real-time source; absent (false) on a file's frames. */
    public static final String LIVE = "streamsr.live";
    /** The model the stream asks for ({@link Tuning}); absent: the upscaler's default. */
    public static final String MODEL = "streamsr.model";
    /** Audio records only: duration of the AAC frame in ns. */
    public static final String DURATION = "streamsr.duration";
    /** Present (value {@code true}) only on the end-of-stream marker. */
    public static final String EOS = "streamsr.eos";
    /** On {@code streamsr.dlq}: why the record was rejected. */
    public static final String DLQ_REASON = "streamsr.dlq.reason";
    public static final String DLQ_DETAIL = "streamsr.dlq.detail";
    public static final String DLQ_TOPIC = "streamsr.dlq.topic";

    private FrameHeaders() {
    }

    public static Headers of(Frame frame) {
        RecordHeaders h = new RecordHeaders();
        put(h, SEQ, Long.toString(frame.seq()));
        put(h, PTS, Long.toString(frame.ptsNanos()));
        put(h, WIDTH, Integer.toString(frame.width()));
        put(h, HEIGHT, Integer.toString(frame.height()));
        put(h, FORMAT, frame.format().name());
        if (frame.format() == FrameFormat.H264) {
            put(h, KEYFRAME, Boolean.toString(frame.keyframe()));
        }
        put(h, INGEST_NS, Long.toString(frame.ingestNanos()));
        put(h, FPS, frame.fps().toString());
        if (frame.live()) {
            put(h, LIVE, "true");
        }
        if (frame.tuning() != null) {
            put(h, MODEL, frame.tuning().id());
        }
        return h;
    }

    public static Headers of(AudioFrame audio) {
        RecordHeaders h = new RecordHeaders();
        put(h, PTS, Long.toString(audio.ptsNanos()));
        put(h, DURATION, Long.toString(audio.durationNanos()));
        put(h, FORMAT, AudioFrame.FORMAT);
        put(h, INGEST_NS, Long.toString(audio.ingestNanos()));
        return h;
    }

    public static Headers of(EndOfStream end) {
        RecordHeaders h = new RecordHeaders();
        put(h, EOS, "true");
        put(h, SEQ, Long.toString(end.frames()));
        put(h, INGEST_NS, Long.toString(end.ingestNanos()));
        return h;
    }

    /** Validates a record against the contract; never throws. */
    public static Decoded decode(byte[] key, Headers headers, byte[] value) {
        StreamId stream;
        try {
            stream = StreamId.fromKey(key);
        } catch (IllegalArgumentException e) {
            return new Decoded.Invalid(null, new ContractViolation(ContractViolation.BAD_KEY, e.getMessage()));
        }
        try {
            if ("true".equals(text(headers, EOS))) {
                return new Decoded.EndRecord(new EndOfStream(stream, number(headers, SEQ), number(headers, INGEST_NS)));
            }
            if (AudioFrame.FORMAT.equals(text(headers, FORMAT))) {
                return decodeAudio(stream, headers, value);
            }
            long seq = number(headers, SEQ);
            long pts = number(headers, PTS);
            int width = (int) positive(headers, WIDTH);
            int height = (int) positive(headers, HEIGHT);
            long ingestNs = number(headers, INGEST_NS);
            String fpsText = required(headers, FPS);
            Fps fps;
            try {
                fps = Fps.parse(fpsText);
            } catch (IllegalArgumentException e) {
                throw new Violation(ContractViolation.BAD_HEADER, FPS + " must be num/den, got '" + fpsText + "'");
            }
            String formatText = required(headers, FORMAT);
            FrameFormat format;
            try {
                format = FrameFormat.valueOf(formatText);
            } catch (IllegalArgumentException e) {
                throw new Violation(ContractViolation.UNKNOWN_FORMAT, "unknown " + FORMAT + " '" + formatText + "'");
            }
            boolean keyframe = false;
            int size = value == null ? 0 : value.length;
            if (format.isRaw()) {
                long expected = format.payloadBytes(width, height);
                if (size != expected) {
                    throw new Violation(ContractViolation.WRONG_PAYLOAD_SIZE, format + " " + width + "x" + height
                            + " needs " + expected + " bytes, payload has " + size);
                }
            } else {
                keyframe = Boolean.parseBoolean(required(headers, KEYFRAME));
                if (size == 0) {
                    throw new Violation(ContractViolation.WRONG_PAYLOAD_SIZE, "empty H264 access unit");
                }
            }
            boolean live = "true".equals(text(headers, LIVE));
            String model = text(headers, MODEL);
            Tuning tuning;
            try {
                tuning = model == null ? null : Tuning.parse(model);
            } catch (IllegalArgumentException e) {
                throw new Violation(ContractViolation.BAD_HEADER, MODEL + ": " + e.getMessage());
            }
            return new Decoded.FrameRecord(new Frame(stream, seq, pts, width, height, format, keyframe, ingestNs, fps, value, live, tuning));
        } catch (Violation v) {
            return new Decoded.Invalid(stream, new ContractViolation(v.reason, v.getMessage()));
        }
    }

    private static Decoded decodeAudio(StreamId stream, Headers headers, byte[] value) {
        long pts = number(headers, PTS);
        long duration = number(headers, DURATION);
        long ingestNs = number(headers, INGEST_NS);
        if (duration <= 0 || duration > 1_000_000_000L) {
            throw new Violation(ContractViolation.BAD_HEADER, DURATION + " out of range: " + duration);
        }
        // An ADTS frame starts with the 12-bit sync word 0xFFF.
        if (value == null || value.length < 7 || (value[0] & 0xFF) != 0xFF || (value[1] & 0xF0) != 0xF0) {
            throw new Violation(ContractViolation.WRONG_PAYLOAD_SIZE, "AAC payload is not an ADTS frame");
        }
        return new Decoded.AudioRecord(new AudioFrame(stream, pts, duration, ingestNs, value));
    }

    private static void put(Headers h, String key, String value) {
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Headers headers, String key) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String required(Headers headers, String key) {
        String v = text(headers, key);
        if (v == null) {
            throw new Violation(ContractViolation.MISSING_HEADER, "missing header " + key);
        }
        return v;
    }

    private static long number(Headers headers, String key) {
        String v = required(headers, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Violation(ContractViolation.BAD_HEADER, key + " is not a number: '" + v + "'");
        }
    }

    private static long positive(Headers headers, String key) {
        long v = number(headers, key);
        if (v <= 0 || v > 65_535) {
            throw new Violation(ContractViolation.BAD_HEADER, key + " out of range: " + v);
        }
        return v;
    }

    /** Control flow inside decode only; never escapes this class. */
    private static final class Violation extends RuntimeException {
        final String reason;

        Violation(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
