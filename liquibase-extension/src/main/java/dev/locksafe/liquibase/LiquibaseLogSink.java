package dev.locksafe.liquibase;

import dev.locksafe.internal.LogSink;
import liquibase.Scope;

/**
 * LockSafe's attempt log in Liquibase's own output: the UI (the CLI console, the Maven log) and
 * Liquibase's log (the application's logging through JUL or SLF4J).
 */
final class LiquibaseLogSink implements LogSink {

    @Override
    public void warn(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).warning(message);
        Scope.getCurrentScope().getUI().sendMessage("WARNING: " + message);
    }

    @Override
    public void info(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).info(message);
        Scope.getCurrentScope().getUI().sendMessage(message);
    }
}
