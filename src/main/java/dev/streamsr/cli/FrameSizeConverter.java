package dev.streamsr.cli;

import dev.streamsr.frame.FrameSize;
import picocli.CommandLine.ITypeConverter;

final class FrameSizeConverter implements ITypeConverter<FrameSize> {
    @Override
    public FrameSize convert(String value) {
        return value == null || value.isBlank() || value.equals("source") ? null : FrameSize.parse(value);
    }
}
