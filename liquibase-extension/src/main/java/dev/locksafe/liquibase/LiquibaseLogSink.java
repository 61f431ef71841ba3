package dev.locksafe.liquibase;

import dev.locksafe.LogSink;
import liquibase.Scope;
import liquibase.ui.CompositeUIService;
import liquibase.ui.LoggerUIService;
import liquibase.ui.UIService;

/**
 * LockSafe's attempt log in Liquibase's own output. Always Liquibase's log (the Maven log, the
 * application's logging through JUL or SLF4J); also Liquibase's UI (the CLI console, where logging is
 * off by default) unless that UI writes to the log itself (the Maven plugin's, LoggerUIService), which
 * would print every line twice. Everything LockSafe says in a Liquibase run comes here, so it reaches the
 * command line's console even though the command line ships no SLF4J provider.
 */
final class LiquibaseLogSink implements LogSink {

    @Override
    public void warn(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).warning(message);
        toConsole("WARNING: " + message);
    }

    /** An error: a ZDD finding that fails the changeset. */
    void error(String message) {
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).severe(message);
        toConsole("ERROR: " + message);
    }

    @Override
    public void info(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).info(message);
        toConsole(message);
    }

    /**
     * The line on the command line's console, once. Only the command line shows Liquibase's UI beside its
     * log, as a composite of the console and, with {@code mirrorConsoleMessagesToLog} (its default), a
     * {@link LoggerUIService} that would log the line a second time next to the log line above: only the
     * composite's console parts get it. Embedded runs (Spring Boot, Quarkus, the Java API) have a plain
     * console UI whose output lands next to the log they already show: they get the log line only, or
     * every line would be printed twice.
     */
    private static void toConsole(String message) {
        UIService ui = Scope.getCurrentScope().getUI();
        if (ui instanceof CompositeUIService composite) {
            for (UIService output : composite.getOutputServices()) {
                if (isConsoleOnly(output)) {
                    output.sendMessage(message);
                }
            }
        }
    }

    /** A UI that prints without logging: not a LoggerUIService, not the Maven plugin's (which logs). */
    private static boolean isConsoleOnly(UIService ui) {
        return ui != null && !(ui instanceof LoggerUIService) && !(ui instanceof CompositeUIService)
                && !ui.getClass().getName().equals("org.liquibase.maven.plugins.MavenUi");
    }
}
