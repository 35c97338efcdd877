package dev.streamsr.upscale;

import dev.streamsr.engine.Engine;
import dev.streamsr.frame.Tuning;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the upscaler opens its engines: the default model, for streams that ask for none, and the
 * models tuned for a kind of picture ({@link Tuning}) that are installed. A stream that asks for
 * a tuning with no model here gets the default.
 */
public record EngineFactories(Supplier<Engine> standard, Map<Tuning, Supplier<Engine>> tuned) {
    public EngineFactories {
        tuned = Map.copyOf(tuned);
    }

    /** One model for every stream. */
    public static EngineFactories of(Supplier<Engine> standard) {
        return new EngineFactories(standard, Map.of());
    }

    /** The tuning whose model frames asking for {@code tuning} get: itself where installed, else null (the default). */
    public Tuning served(Tuning tuning) {
        return tuning != null && tuned.containsKey(tuning) ? tuning : null;
    }

    Supplier<Engine> factory(Tuning served) {
        return served == null ? standard : tuned.get(served);
    }
}
