package dev.streamsr.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** {@code --log-level}: the level of StreamSR's own loggers; the libraries keep the quieter levels logback.xml gives them. */
final class LogLevel {
    private LogLevel() {
    }

    /** False, changing nothing, when {@code name} is not a level. */
    static boolean set(String name) {
        Level level = Level.toLevel(name, null);
        if (level == null) {
            return false;
        }
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(level);
        return true;
    }
}
