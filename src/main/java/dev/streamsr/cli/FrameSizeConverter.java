package dev.streamsr.cli;

import dev.streamsr.frame.FrameSize;
import picocli.CommandLine.ITypeConverter;

public final class FrameSizeConverter implements ITypeConverter<FrameSize> {
    @Override
    public FrameSize convert(String value) {
        if (value == null || value.isBlank() || value.equals("source")) {
            return null;
        }
        try {
            return FrameSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a frame size: use WIDTHxHEIGHT, such as 1280x720");
        }
    }
}
