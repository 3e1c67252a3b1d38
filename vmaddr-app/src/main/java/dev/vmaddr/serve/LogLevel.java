package dev.vmaddr.serve;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies the log level: {@code VMADDR_LOG_LEVEL} wins over the config file's {@code log.level}. */
public final class LogLevel {
    private LogLevel() {}

    public static void apply(String configLevel) {
        String env = System.getenv("VMADDR_LOG_LEVEL");
        String level = env != null && !env.isBlank() ? env : configLevel;
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
