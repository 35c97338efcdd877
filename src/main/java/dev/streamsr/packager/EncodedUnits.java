package dev.streamsr.packager;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Frame;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.media.FrameEncoder;
import io.micrometer.core.instrument.Counter;
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
    private final Counter invalid;
    private final FrameEncoder encoder;

    EncodedUnits(String topic, FrameLimits limits, EncoderSettings settings, Counter invalid) {
        this.topic = topic;
        this.limits = limits;
        this.encoder = new FrameEncoder(settings);
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
        return encoder.encode(frame);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
