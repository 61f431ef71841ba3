package dev.locksafe.internal;

import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Where {@link LoggingAttemptListener} writes: SLF4J, or a host tool's own log (Flyway's console,
 * Liquibase's UI). Messages come as an SLF4J template with arguments so SLF4J keeps them
 * parameterized; other sinks format them with {@link #format}.
 */
public interface LogSink {

    /** A retry or an exhaustion. */
    void warn(String template, Object... args);

    /** A success after retries. */
    void info(String template, Object... args);

    /** The template filled in, the way SLF4J would. */
    static String format(String template, Object... args) {
        return MessageFormatter.basicArrayFormat(template, args);
    }

    /** A sink writing to an SLF4J logger. */
    static LogSink of(Logger logger) {
        return new LogSink() {
            @Override
            public void warn(String template, Object... args) {
                logger.warn(template, args);
            }

            @Override
            public void info(String template, Object... args) {
                logger.info(template, args);
            }
        };
    }
}
