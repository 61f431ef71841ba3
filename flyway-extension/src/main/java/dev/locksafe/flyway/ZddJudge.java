package dev.locksafe.flyway;

import dev.locksafe.check.AllowMarkers;
import dev.locksafe.check.CheckMode;
import dev.locksafe.check.Finding;
import dev.locksafe.check.ZddCheck;
import dev.locksafe.check.ZddCheckFailedException;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Runs the ZDD check around one Flyway migration and writes its findings to Flyway's log. In {@code warn}
 * mode a failure of the check itself is logged and the migration goes on; in {@code fail} mode it fails the
 * migration, so a CI gate never passes unchecked.
 */
final class ZddJudge {

    private ZddJudge() {
    }

    /** The allow markers of a SQL migration's script; a marker without a reason fails the migration. */
    static AllowMarkers allowMarkers(MigrationSession session, LoadableResource resource) {
        if (!session.check.active()) {
            return AllowMarkers.none();
        }
        StringBuilder text = new StringBuilder();
        try (Reader reader = resource.read()) {
            char[] buffer = new char[8192];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                text.append(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new FlywayException("LockSafe ZDD: cannot read " + resource.getFilename() + " for allow markers: "
                    + e.getMessage(), e);
        }
        try {
            return AllowMarkers.in(text.toString());
        } catch (IllegalArgumentException e) {
            throw new FlywayException(e.getMessage() + " (in " + resource.getFilename() + ")", e);
        }
    }

    static void before(MigrationSession session, Connection connection) {
        if (!session.check.active()) {
            return;
        }
        try {
            session.check.beforeMigration(connection);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed(session, "the baseline", e);
        }
    }

    static void after(MigrationSession session, Connection connection, String migration) {
        ZddCheck check = session.check;
        if (!check.active()) {
            return;
        }
        List<Finding> findings;
        try {
            findings = check.afterMigration(connection, migration, session.allowMarkers);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed(session, migration, e);
            return;
        }
        Log log = FlywayLogSink.log();
        for (ZddCheck.Line line : check.lines(migration, findings, session.allowMarkers)) {
            switch (line.level()) {
                case ERROR -> log.error(line.text());
                case WARNING -> log.warn(line.text());
                default -> log.info(line.text());
            }
        }
        try {
            check.throwIfFailing(migration, findings);
        } catch (ZddCheckFailedException e) {
            throw new FlywayException(e.getMessage(), e);
        }
    }

    /** A non-transactional migration committed statement by statement: it cannot be judged before commit. */
    static void notJudged(MigrationSession session, Connection connection) {
        if (!session.check.active()) {
            return;
        }
        try {
            session.check.skipMigration(connection, session.scriptName == null ? "a migration" : session.scriptName);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed(session, "the schema after " + session.scriptName, e);
        }
        if (!session.toldNonTransactionalIsNotJudged) {
            session.toldNonTransactionalIsNotJudged = true;
            String message = "LockSafe ZDD: " + (session.scriptName == null ? "a migration" : session.scriptName)
                    + " runs outside a transaction and committed statement by statement; the ZDD check judges"
                    + " transactional migrations only (it cannot roll these back), so this one was not checked";
            // a gap in a CI gate (fail) deserves a warning; a developer's run (warn) only needs to know
            if (session.check.mode() == CheckMode.FAIL) {
                FlywayLogSink.log().warn(message);
            } else {
                FlywayLogSink.log().info(message);
            }
        }
    }

    private static void checkItselfFailed(MigrationSession session, String what, Exception e) {
        String message = "LockSafe ZDD: the check of " + what + " failed: " + e.getMessage();
        if (session.check.mode() == CheckMode.FAIL) {
            throw new FlywayException(message + " (check=fail: the migration was rolled back)", e);
        }
        FlywayLogSink.log().warn(message + "; the migration goes on unchecked (check=warn)");
    }
}
