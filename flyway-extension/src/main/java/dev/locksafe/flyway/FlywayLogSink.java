package dev.locksafe.flyway;

import dev.locksafe.LogSink;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogFactory;

/**
 * LockSafe's attempt log, written through Flyway's own log: the CLI console, the Maven log, SLF4J.
 *
 * <p>The log is looked up at each message, not once: Flyway's database types are created when Flyway's
 * plugins load, before the Maven plugin or the CLI has told {@link LogFactory} where output goes.
 */
final class FlywayLogSink implements LogSink {

    static Log log() {
        return LogFactory.getLog(LockSafePostgreSQLDatabaseType.class);
    }

    @Override
    public void warn(String template, Object... args) {
        log().warn(LogSink.format(template, args));
    }

    @Override
    public void info(String template, Object... args) {
        log().info(LogSink.format(template, args));
    }
}
