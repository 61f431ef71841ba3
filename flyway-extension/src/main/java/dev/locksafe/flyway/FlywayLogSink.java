package dev.locksafe.flyway;

import dev.locksafe.internal.LogSink;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogFactory;

/** LockSafe's attempt log, written through Flyway's own log: the CLI console, the Maven log, SLF4J. */
final class FlywayLogSink implements LogSink {

    static final Log LOG = LogFactory.getLog(LockSafePostgreSQLDatabaseType.class);

    @Override
    public void warn(String template, Object... args) {
        LOG.warn(LogSink.format(template, args));
    }

    @Override
    public void info(String template, Object... args) {
        LOG.info(LogSink.format(template, args));
    }
}
