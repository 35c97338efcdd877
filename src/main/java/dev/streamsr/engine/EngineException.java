package dev.streamsr.engine;

/** An engine call or model load failed; the message says which model and why. */
public final class EngineException extends RuntimeException {
    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }

    public EngineException(String message) {
        super(message);
    }
}
