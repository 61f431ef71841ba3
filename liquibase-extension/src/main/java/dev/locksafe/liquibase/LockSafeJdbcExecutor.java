package dev.locksafe.liquibase;

import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockRelease;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.check.AllowMarkers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import liquibase.Scope;
import liquibase.change.Change;
import liquibase.change.custom.CustomChangeWrapper;
import liquibase.change.custom.CustomTaskChange;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseConnection;
import liquibase.database.core.CockroachDatabase;
import liquibase.database.core.PostgresDatabase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import liquibase.executor.jvm.JdbcExecutor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.sql.visitor.SqlVisitor;
import liquibase.statement.CompoundStatement;
import liquibase.statement.ExecutablePreparedStatement;
import liquibase.statement.SqlStatement;
import liquibase.statement.core.RawParameterizedSqlStatement;
import liquibase.statement.core.RawSqlStatement;

/**
 * Liquibase's JDBC executor for PostgreSQL with LockSafe's retries. Liquibase runs every change of a
 * changeset through {@code execute(Change, ...)} of the "jdbc" executor, and only changes: the
 * changelog lock, the DATABASECHANGELOG rows and {@code update-sql} never pass there, so they behave as
 * without LockSafe.
 *
 * <ul>
 *   <li>{@code runInTransaction=true}: each change runs through {@code runInTransaction}. On a lock
 *       timeout the changeset is rolled back to a savepoint set before its first change (every lock of
 *       the changeset released), and the next attempt replays the changeset's earlier changes before
 *       running the failed one again, so the changeset runs again from its first change. A change that
 *       committed the transaction itself (an explicit {@code COMMIT}) has taken that savepoint with it:
 *       then the changeset fails without a retry, which would apply the committed part twice.</li>
 *   <li>{@code runInTransaction=false}: each statement runs through {@code runStatement}; only the
 *       failing statement is retried, with invalid-index cleanup for concurrent index builds.</li>
 *   <li>A changeset with a {@code customChange} that implements {@link CustomTaskChange} runs with the
 *       lock timeout but a single attempt: replaying it would run its task twice.</li>
 * </ul>
 * Not thread-safe, like the executor it extends (Liquibase keeps one per database).
 */
public class LockSafeJdbcExecutor extends JdbcExecutor {

    private ChangeSetRun run;
    private boolean toldAboutProbe;
    /**
     * Read on the first changeset and kept: Liquibase creates an executor per database, that is per
     * update run, and resolving thirteen definitions through Liquibase's providers for every
     * changeset was a measurable share of LockSafe's overhead.
     */
    private LockSafeSettings settings;
    /** The ZDD check of this update run (one executor per database, that is per run). */
    private ZddJudge zdd;

    /** Above Liquibase's own JDBC executor (1) and specialised ones (10). */
    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED + 5;
    }

    @Override
    public boolean supports(Database database) {
        return database instanceof PostgresDatabase && !(database instanceof CockroachDatabase);
    }

    @Override
    public void modifyChangeSet(ChangeSet changeSet) {
        super.modifyChangeSet(changeSet);
        if (settings == null) {
            settings = LockSafeConfiguration.currentSettings();
            zdd = new ZddJudge(settings, database);
        }
        run = settings.enabled() ? new ChangeSetRun(changeSet, settings) : null;
    }

    @Override
    public void execute(Change change, List<SqlVisitor> sqlVisitors) throws DatabaseException {
        ChangeSetRun current = run;
        Connection connection = jdbc();
        if (current == null || connection == null) {
            super.execute(change, sqlVisitors);
            return;
        }
        current.inChange = true;
        try {
            boolean first = current.changesDone == 0;
            if (first && zdd.active()) {
                current.readAllowMarkers();
                zdd.before(connection, current.id);
            }
            if (connection.getAutoCommit()) {
                super.execute(change, sqlVisitors); // statements are retried one by one below
                if (++current.changesDone == current.changesToRun && zdd.active()) {
                    zdd.notJudged(connection, current.id);
                }
                return;
            }
            try (LockSafe engine = current.newEngine(database)) {
                boolean[] retry = {false};
                engine.runInTransaction(() -> current.id, current::lastSentStatement, connection, current.release,
                        () -> {
                            if (retry[0]) {
                                // the failed attempt rolled back to the start of the changeset: its earlier
                                // changes run again first
                                for (Executed done : current.executed) {
                                    super.execute(done.change, done.visitors);
                                }
                            }
                            retry[0] = true;
                            super.execute(change, sqlVisitors);
                            return null;
                        });
            }
            current.executed.add(new Executed(change, sqlVisitors));
            // after the changeset's last change, before Liquibase commits: a failing judgement rolls it back
            if (++current.changesDone == current.changesToRun && zdd.active()) {
                zdd.after(connection, current.id, current.allowMarkers);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e.getMessage(), e);
        } finally {
            current.inChange = false;
        }
    }

    @Override
    public void execute(SqlStatement sql, List<SqlVisitor> sqlVisitors) throws DatabaseException {
        ChangeSetRun current = run;
        Connection connection = jdbc();
        if (current != null && current.inChange) {
            current.lastSent = sql; // its text is generated only if an attempt fails
        }
        try {
            if (current == null || !current.inChange || connection == null || !connection.getAutoCommit()) {
                super.execute(sql, sqlVisitors);
                return;
            }
            String[] pieces = sentTexts(sql, sqlVisitors);
            try (LockSafe engine = current.newEngine(database)) {
                if (pieces.length <= 1) {
                    String text = pieces.length == 1 ? pieces[0] : sqlText(sql);
                    engine.runStatement(current.id, connection, text, () -> {
                        super.execute(sql, sqlVisitors);
                        return null;
                    });
                    return;
                }
                // each piece commits on its own: a retry runs again only the piece that timed out, never
                // one that already committed (a column added twice fails; a row inserted twice is a duplicate)
                for (String piece : pieces) {
                    engine.runStatement(current.id, connection, piece, () -> {
                        super.execute(new RawSqlStatement(piece, ""), List.of());
                        return null;
                    });
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException(e.getMessage(), e);
        }
    }

    /**
     * The SQL texts that Liquibase sends one by one for {@code sql} (its generators give some statements
     * several: a column with a foreign key is an {@code ALTER TABLE ... ADD} and an {@code ALTER TABLE ...
     * ADD CONSTRAINT}), visitors applied; none when the statement is not plain SQL text (prepared,
     * parameterized or compound statements run as they are). Outside a transaction each text commits on
     * its own.
     */
    private String[] sentTexts(SqlStatement sql, List<SqlVisitor> sqlVisitors) throws DatabaseException {
        if (sql instanceof RawParameterizedSqlStatement || sql instanceof ExecutablePreparedStatement
                || sql instanceof CompoundStatement) {
            return new String[0];
        }
        return Arrays.stream(applyVisitors(sql, sqlVisitors)).filter(Objects::nonNull).toArray(String[]::new);
    }

    private Connection jdbc() {
        DatabaseConnection c = database == null ? null : database.getConnection();
        return c instanceof JdbcConnection ? ((JdbcConnection) c).getUnderlyingConnection() : null;
    }

    private String sqlText(SqlStatement statement) {
        try {
            Sql[] sql = SqlGeneratorFactory.getInstance().generateSql(statement, database);
            return Arrays.stream(sql).map(Sql::toSql).collect(Collectors.joining(";\n"));
        } catch (RuntimeException e) {
            return String.valueOf(statement);
        }
    }

    /** A change that already ran in the current attempt's transaction. */
    private static final class Executed {
        final Change change;
        final List<SqlVisitor> visitors;

        Executed(Change change, List<SqlVisitor> visitors) {
            this.change = change;
            this.visitors = visitors;
        }
    }

    /** The changeset being run: its name, policy, and the changes to replay after a rollback. */
    private final class ChangeSetRun {
        final String id;
        final LockSafeSettings settings;
        final List<Executed> executed = new ArrayList<>();
        final LockRelease release;
        boolean inChange;
        /** The statement of the changeset that Liquibase sent last. */
        SqlStatement lastSent;
        /** An application's own listener for this run (its metrics), or {@code null}. */
        final AttemptListener applicationListener;
        /** An application's own data source for blocker lookup in this run, or {@code null}. */
        final ConnectionSource applicationLookup;
        final ChangeSet changeSet;
        /** The changes Liquibase will run here, and how many ran: the ZDD check judges after the last. */
        final int changesToRun;
        int changesDone;
        AllowMarkers allowMarkers = AllowMarkers.none();

        ChangeSetRun(ChangeSet changeSet, LockSafeSettings policy) {
            LockSafeSettings settings = policy;
            this.applicationListener = LockSafeConfiguration.listenerOnThisThread();
            this.applicationLookup = LockSafeConfiguration.lookupSourceOnThisThread();
            this.id = changeSet.getFilePath() + "::" + changeSet.getId() + "::" + changeSet.getAuthor();
            this.changeSet = changeSet;
            this.changesToRun = ZddJudge.changesToRun(changeSet, database);
            boolean customTask = changeSet.getChanges().stream().anyMatch(c -> c instanceof CustomChangeWrapper
                    && ((CustomChangeWrapper) c).getCustomChange() instanceof CustomTaskChange);
            if (customTask && settings.maxAttempts() > 1) {
                Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).info("LockSafe: " + id
                        + " has a custom task change, which a retry would run twice; it runs once, with lock_timeout");
                settings = settings.toBuilder().maxAttempts(1).build();
            }
            this.settings = settings;
            // a failed attempt rolls back to a savepoint set before the changeset's first change (every lock
            // of the changeset released), and the next attempt replays the changes that ran before it. A
            // change that committed on its own has taken the savepoint with it: then nothing is retried
            this.release = LockRelease.sharedSavepoint();
        }

        /** The changeset's allow markers; a marker without a reason fails the changeset before its first change. */
        void readAllowMarkers() throws DatabaseException {
            try {
                allowMarkers = ZddJudge.allowMarkers(changeSet);
            } catch (IllegalArgumentException e) {
                throw new DatabaseException(e.getMessage() + " (in " + id + ")", e);
            }
        }

        /** The text of the statement sent last, as Liquibase generates it for this database. */
        String lastSentStatement() {
            return lastSent == null ? null : sqlText(lastSent);
        }

        LockSafe newEngine(Database database) {
            DatabaseConnection c = database.getConnection();
            ConnectionSource probe = c instanceof LockSafeJdbcConnection
                    ? ((LockSafeJdbcConnection) c).probeConnections() : null;
            if (probe == null) {
                probe = applicationLookup;
            }
            if (probe == null && c instanceof JdbcConnection jdbc) {
                // handed an open connection: a source registered for its database, or the Maven plugin's settings
                Connection underlying = jdbc.getUnderlyingConnection();
                probe = ProbeConnections.forConnection(underlying);
                if (probe == null) {
                    probe = MavenPluginConnections.forConnection(underlying);
                }
            }
            if (probe == null && settings.logBlockers() && !toldAboutProbe) {
                toldAboutProbe = true;
                Scope.getCurrentScope().getLog(LockSafeJdbcExecutor.class).info("LockSafe: blocking sessions are not"
                        + " reported: Liquibase was given an open connection (" + c.getClass().getName()
                        + "), so LockSafe cannot open a second one to look them up");
            }
            LockSafe.Builder builder = LockSafe.builder(settings).tool("liquibase");
            if (applicationListener != null) {
                builder.addListener(applicationListener);
            }
            zdd.listenForHeldLocks(builder);
            return builder
                    .listener(AttemptListener.logging(new LiquibaseLogSink()))
                    .probeConnections(probe)
                    .build();
        }
    }
}
