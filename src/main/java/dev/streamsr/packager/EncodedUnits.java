package dev.streamsr.packager;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Frame;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.media.H264Encoder;
import io.micrometer.core.instrument.Counter;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source rendition: a stream's raw frames from {@code streamsr.lr} encoded to H.264 at their
 * own size, the encoder started again when the size or format changes. A frame that breaks the
 * contract is skipped and counted: the upscaler, whose input this is, dead-letters it.
 */
final class EncodedUnits implements AccessUnits {
    private static final Logger log = LoggerFactory.getLogger(EncodedUnits.class);

    private final String topic;
    private final FrameLimits limits;
    private final EncoderSettings settings;
    private final Counter invalid;
    private H264Encoder encoder;

    EncodedUnits(String topic, FrameLimits limits, EncoderSettings settings, Counter invalid) {
        this.topic = topic;
        this.limits = limits;
        this.settings = settings;
        this.invalid = invalid;
    }

    @Override
    public AccessUnit of(Frame frame) {
        Optional<ContractViolation> refused = frame.format().isRaw() ? limits.check(frame)
                : Optional.of(new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT, "expected a raw frame on " + topic + ", got " + frame.format()));
        if (refused.isPresent()) {
            log.warn("stream {}: source rendition skips seq {}: {}", frame.stream(), frame.seq(), refused.get());
            invalid.increment();
            return null;
        }
        if (encoder != null && (encoder.width() != frame.width() || encoder.height() != frame.height() || encoder.format() != frame.format())) {
            encoder.close();
            encoder = null;
        }
        if (encoder == null) {
            encoder = new H264Encoder(frame.format(), frame.width(), frame.height(), frame.fps(), settings);
        }
        return encoder.encode(ByteBuffer.wrap(frame.payload()), frame.ptsNanos());
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
