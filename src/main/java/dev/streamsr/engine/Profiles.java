package dev.streamsr.engine;

import dev.streamsr.frame.FrameSize;
import java.util.List;

/**
 * TensorRT optimisation profile ranges for the engine contract's inputs: batch 1..maxBatch and
 * LR sizes from the smallest to the largest configured one, tuned for the first (the usual) size.
 */
public record Profiles(int maxBatch, int optBatch, FrameSize min, FrameSize opt, FrameSize max, int latentChannels, int latentStride) {

    /** Dimensions of one input at one point of the range: lr/prev_lr NHWC uint8, prev_latent NCHW. */
    public record Dims(long... d) {
        @Override
        public String toString() {
            return java.util.Arrays.toString(d);
        }
    }

    public static Profiles of(List<FrameSize> sizes, int maxBatch, ModelInfo model) {
        return of(sizes, maxBatch, model.latentChannels(), model.latentStride());
    }

    public static Profiles of(List<FrameSize> sizes, int maxBatch, int latentChannels, int latentStride) {
        if (sizes.isEmpty()) {
            throw new EngineException("no LR size configured for the TensorRT profiles");
        }
        if (maxBatch < 1) {
            throw new EngineException("max batch must be at least 1, got " + maxBatch);
        }
        for (FrameSize s : sizes) {
            if (s.width() % latentStride != 0 || s.height() % latentStride != 0) {
                throw new EngineException("LR size " + s + " is not divisible by the latent stride " + latentStride);
            }
        }
        FrameSize min = new FrameSize(sizes.stream().mapToInt(FrameSize::width).min().orElseThrow(),
                sizes.stream().mapToInt(FrameSize::height).min().orElseThrow());
        FrameSize max = new FrameSize(sizes.stream().mapToInt(FrameSize::width).max().orElseThrow(),
                sizes.stream().mapToInt(FrameSize::height).max().orElseThrow());
        return new Profiles(maxBatch, maxBatch, min, sizes.get(0), max, latentChannels, latentStride);
    }

    public Dims frame(int batch, FrameSize s) {
        return new Dims(batch, s.height(), s.width(), 3);
    }

    public Dims latent(int batch, FrameSize s) {
        return new Dims(batch, latentChannels, s.height() / latentStride, s.width() / latentStride);
    }

    /** [min, opt, max] for an input of the engine contract. */
    public List<Dims> range(String input) {
        return switch (input) {
            case "lr", "prev_lr" -> List.of(frame(1, min), frame(optBatch, opt), frame(maxBatch, max));
            case "prev_latent" -> List.of(latent(1, min), latent(optBatch, opt), latent(maxBatch, max));
            default -> throw new EngineException("input '" + input + "' is not part of the engine contract");
        };
    }

    public boolean covers(int batch, int height, int width) {
        return batch >= 1 && batch <= maxBatch && width >= min.width() && width <= max.width()
                && height >= min.height() && height <= max.height();
    }

    /** Short and stable: part of the plan cache key. */
    public String signature() {
        return "b%d-%dx%d-%dx%d-%dx%d".formatted(maxBatch, min.width(), min.height(), opt.width(), opt.height(), max.width(), max.height());
    }
}
