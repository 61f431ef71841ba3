package dev.locksafe.liquibase;

import dev.locksafe.AttemptListener;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.check.AllowMarkers;
import dev.locksafe.check.CheckMode;
import dev.locksafe.check.Finding;
import dev.locksafe.check.ZddCheck;
import dev.locksafe.check.ZddCheckFailedException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import liquibase.change.AbstractSQLChange;
import liquibase.change.Change;
import liquibase.change.DbmsTargetedChange;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseList;
import liquibase.exception.DatabaseException;

/**
 * Runs the ZDD check around one Liquibase changeset: the baseline before its first change, the judgement
 * after its last one, before {@code ChangeSet.execute} commits, so a failing judgement rolls the changeset
 * back and DATABASECHANGELOG gets no row. In {@code warn} mode a failure of the check itself is logged and
 * the changeset goes on; in {@code fail} mode it fails the changeset, so a CI gate never passes unchecked.
 */
final class ZddJudge {

    private final ZddCheck check;
    private final LiquibaseLogSink log = new LiquibaseLogSink();
    private boolean toldNonTransactionalIsNotJudged;

    ZddJudge(LockSafeSettings settings, Database database) {
        this.check = ZddCheck.forRun("liquibase", settings, Set.of(database.getDatabaseChangeLogTableName(),
                database.getDatabaseChangeLogLockTableName()));
        AttemptListener application = LockSafeConfiguration.listenerOnThisThread();
        if (application != null) {
            check.addListener(application); // the application's metrics count the findings too
        }
    }

    boolean active() {
        return check.active();
    }

    /** Lets the check hear which locks the engine's units held, for rule L209. */
    void listenForHeldLocks(LockSafe.Builder engine) {
        if (check.active()) {
            engine.addListener(check.heldLocksListener());
        }
    }

    /**
     * The allow markers of a changeset: in its comment (XML, YAML, JSON, {@code --comment:} of formatted
     * SQL) or in the SQL of its {@code sql} changes (a {@code -- locksafe:allow} line in formatted SQL).
     */
    static AllowMarkers allowMarkers(ChangeSet changeSet) {
        StringBuilder text = new StringBuilder();
        if (changeSet.getComments() != null) {
            text.append(changeSet.getComments()).append('\n');
        }
        for (Change change : changeSet.getChanges()) {
            if (change instanceof AbstractSQLChange sql && sql.getSql() != null) {
                text.append(sql.getSql()).append('\n');
            }
        }
        return AllowMarkers.in(text.toString());
    }

    /** How many changes of {@code changeSet} Liquibase will run here: those it does not skip for dbms or OS. */
    static int changesToRun(ChangeSet changeSet, Database database) {
        int count = 0;
        for (Change change : changeSet.getChanges()) {
            if (change instanceof DbmsTargetedChange targeted
                    && !DatabaseList.definitionMatches(targeted.getDbms(), database, true)) {
                continue;
            }
            if (!runsOnThisOs(change)) {
                continue;
            }
            count++;
        }
        return count;
    }

    private static boolean runsOnThisOs(Change change) {
        try {
            return change.shouldRunOnOs();
        } catch (NoSuchMethodError | AbstractMethodError e) {
            return true; // a Liquibase without OS filtering runs every change
        }
    }

    void before(Connection connection, String changeSet) throws DatabaseException {
        try {
            check.beforeMigration(connection);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed("the baseline before " + changeSet, e);
        }
    }

    void after(Connection connection, String changeSet, AllowMarkers markers) throws DatabaseException {
        List<Finding> findings;
        try {
            findings = check.afterMigration(connection, changeSet, markers);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed(changeSet, e);
            return;
        }
        for (ZddCheck.Line line : check.lines(changeSet, findings, markers)) {
            switch (line.level()) {
                case ERROR -> log.error(line.text());
                case WARNING -> log.warn(line.text());
                default -> log.info(line.text());
            }
        }
        try {
            check.throwIfFailing(changeSet, findings);
        } catch (ZddCheckFailedException e) {
            throw new DatabaseException(e.getMessage(), e);
        }
    }

    /** A changeset with runInTransaction=false committed statement by statement: it cannot be judged before commit. */
    void notJudged(Connection connection, String changeSet) throws DatabaseException {
        try {
            check.skipMigration(connection, changeSet);
        } catch (SQLException | RuntimeException e) {
            checkItselfFailed("the schema after " + changeSet, e);
        }
        if (!toldNonTransactionalIsNotJudged) {
            toldNonTransactionalIsNotJudged = true;
            String message = "LockSafe ZDD: " + changeSet + " runs outside a transaction (runInTransaction=false) and"
                    + " committed statement by statement; the ZDD check judges transactional changesets only (it cannot"
                    + " roll these back), so this one was not checked";
            // a gap in a CI gate (fail) deserves a warning; a developer's run (warn) only needs to know
            if (check.mode() == CheckMode.FAIL) {
                log.warn(message);
            } else {
                log.info(message);
            }
        }
    }

    private void checkItselfFailed(String what, Exception e) throws DatabaseException {
        String message = "LockSafe ZDD: the check of " + what + " failed: " + e.getMessage();
        if (check.mode() == CheckMode.FAIL) {
            throw new DatabaseException(message + " (check=fail: the changeset was rolled back)", e);
        }
        log.warn(message + "; the changeset goes on unchecked (check=warn)");
    }
}
