package dev.locksafe.liquibase;

import dev.locksafe.internal.LogSink;
import liquibase.Scope;
import liquibase.ui.LoggerUIService;
import liquibase.ui.UIService;

/**
 * LockSafe's attempt log in Liquibase's own output. Always Liquibase's log (the Maven log, the
 * application's logging through JUL or SLF4J); also Liquibase's UI (the CLI console, where logging is
 * off by default) unless that UI writes to the log itself (the Maven plugin's, LoggerUIService), which
 * would print every line twice.
 */
final class LiquibaseLogSink implements LogSink {

    @Override
    public void warn(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).warning(message);
        toConsole("WARNING: " + message);
    }

    @Override
    public void info(String template, Object... args) {
        String message = LogSink.format(template, args);
        Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).info(message);
        toConsole(message);
    }

    private static void toConsole(String message) {
        UIService ui = Scope.getCurrentScope().getUI();
        // the Maven plugin's UI (a ConsoleUIService) and LoggerUIService write to the log already
        if (ui != null && !(ui instanceof LoggerUIService)
                && !ui.getClass().getName().equals("org.liquibase.maven.plugins.MavenUi")) {
            ui.sendMessage(message);
        }
    }
}
