package dev.streamsr.packager;

import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.media.AccessUnit;

/** The upscaled rendition: each record on {@code streamsr.sr} is one access unit as the upscaler encoded it. */
final class PassThroughUnits implements AccessUnits {
    private final String topic;
    private final DeadLetters deadLetters;

    PassThroughUnits(String topic, DeadLetters deadLetters) {
        this.topic = topic;
        this.deadLetters = deadLetters;
    }

    @Override
    public AccessUnit of(Frame frame) {
        if (frame.format() != FrameFormat.H264) {
            deadLetters.send(topic, frame.stream().toKey(), frame.payload(), FrameHeaders.of(frame), frame.stream(),
                    new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT, "expected H264 on " + topic + ", got " + frame.format()));
            return null;
        }
        return new AccessUnit(frame.payload(), frame.keyframe());
    }

    @Override
    public void close() {
    }
}
