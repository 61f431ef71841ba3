package dev.locksafe.flyway;

import dev.locksafe.LockRelease;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Statements;
import dev.locksafe.check.AllowMarkers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.callback.CallbackExecutor;
import org.flywaydb.core.internal.database.DatabaseExecutionStrategy;
import org.flywaydb.core.internal.database.DatabaseType;
import org.flywaydb.core.internal.database.DatabaseTypeRegister;
import org.flywaydb.core.internal.jdbc.JdbcConnectionFactory;
import org.flywaydb.core.internal.jdbc.JdbcTemplate;
import org.flywaydb.core.internal.jdbc.Results;
import org.flywaydb.core.internal.jdbc.StatementInterceptor;
import org.flywaydb.core.internal.sqlscript.DefaultSqlScriptExecutor;
import org.flywaydb.core.internal.sqlscript.SqlScript;
import org.flywaydb.core.internal.sqlscript.SqlScriptExecutorFactory;
import org.flywaydb.core.internal.sqlscript.SqlStatement;
import org.flywaydb.core.internal.util.SqlCallable;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.flywaydb.database.postgresql.PostgreSQLDatabaseType;

/**
 * Flyway's PostgreSQL support with LockSafe's retries. It takes over plain PostgreSQL only: when a
 * PostgreSQL-compatible engine that Flyway handles with a type of its own (CockroachDB, Redshift,
 * YugabyteDB, ...) would be chosen, it steps aside.
 *
 * <p>The hooks below act only while a migration runs, so clean, repair, validate, info, callbacks and
 * schema-history work are untouched. They exist unchanged from Flyway 11 to 13, so one jar serves all:
 * <ul>
 *   <li>{@link #createExecutionStrategy}: a migration inside a transaction (SQL, Java or script) runs
 *       through {@code runInTransaction} with a savepoint per attempt, so a retry releases the
 *       migration's locks and leaves Flyway's transaction and bookkeeping alone;</li>
 *   <li>{@link #createSqlScriptExecutorFactory}: in a non-transactional SQL migration each statement
 *       runs through {@code runStatement}, so only the failing statement is retried.</li>
 * </ul>
 */
public class LockSafePostgreSQLDatabaseType extends PostgreSQLDatabaseType {

    /** Above plain PostgreSQL (0) and its derivatives (1), so Flyway asks this type first. */
    @Override
    public int getPriority() {
        return 10;
    }

    @Override
    public boolean handlesDatabaseProductNameAndVersion(String databaseProductName, String databaseProductVersion,
                                                        Connection connection) {
        if (!super.handlesDatabaseProductNameAndVersion(databaseProductName, databaseProductVersion, connection)) {
            return false;
        }
        // take over only where Flyway would otherwise pick plain PostgreSQL. The list's element type is
        // DatabaseType in Flyway 11 and GeneralDatabaseType in 13: read it as plain objects so one jar fits both.
        List<?> registered = DatabaseTypeRegister.getDatabaseTypes();
        DatabaseType otherwise = null;
        for (Object candidate : registered) {
            if (!(candidate instanceof DatabaseType) || candidate instanceof LockSafePostgreSQLDatabaseType) {
                continue;
            }
            DatabaseType type = (DatabaseType) candidate;
            if ((otherwise == null || type.getPriority() > otherwise.getPriority())
                    && type.handlesDatabaseProductNameAndVersion(databaseProductName, databaseProductVersion,
                    connection)) {
                otherwise = type;
            }
        }
        return otherwise != null && otherwise.getClass() == PostgreSQLDatabaseType.class;
    }

    /** Every connection Flyway opens passes here with its configuration: check the settings, remember both. */
    @Override
    public Connection alterConnectionAsNeeded(Connection connection, Configuration configuration) {
        Connection altered = super.alterConnectionAsNeeded(connection, configuration);
        warnOnce(configuration, MigrationSession.open(altered, configuration));
        return altered;
    }

    /** Configurations already told about disabled or group mode: one line per Flyway run, not per connection. */
    private static final Set<Configuration> WARNED = Collections.synchronizedSet(Collections.newSetFromMap(
            new WeakHashMap<>()));

    private static void warnOnce(Configuration configuration, LockSafeSettings settings) {
        if (!WARNED.add(configuration)) {
            return;
        }
        LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(configuration);
        if (extension != null) {
            UnreadSettings.unread(extension.rawValues(), System.getenv(), System.getProperties())
                    .forEach(FlywayLogSink.log()::warn);
        }
        if (!settings.enabled()) {
            FlywayLogSink.log().info("LockSafe: disabled by flyway.locksafe.enabled=false");
        } else if (configuration.isGroup()) {
            FlywayLogSink.log().warn("LockSafe: group=true runs all pending migrations in one transaction; a retry would"
                    + " keep the earlier migrations' locks while it waits, so LockSafe does not retry. Each migration"
                    + " still runs with lock_timeout " + settings.lockTimeout().toMillis()
                    + "ms, so a blocked migrate fails fast instead of queueing every query behind it.");
        }
    }

    @Override
    public DatabaseExecutionStrategy createExecutionStrategy(Connection connection) {
        MigrationSession session = MigrationSession.of(connection);
        if (session == null) {
            return super.createExecutionStrategy(connection);
        }
        return new DatabaseExecutionStrategy() {
            @Override
            public <T> T execute(SqlCallable<T> callable) throws SQLException {
                session.scriptName = null;
                session.allowMarkers = AllowMarkers.none();
                session.migrating = true;
                try {
                    if (connection.getAutoCommit()) {
                        // non-transactional: the script executor below retries its statements one by one
                        ZddJudge.before(session, connection);
                        T result = callable.call();
                        ZddJudge.notJudged(session, connection);
                        return result;
                    }
                    MigrationName name = new MigrationName(session);
                    ZddJudge.before(session, connection);
                    T result;
                    try (LockSafe engine = session.newEngine()) {
                        result = engine.runInTransaction(name, connection, LockRelease.savepoint(), () -> {
                            try {
                                return callable.call();
                            } catch (SQLException | RuntimeException e) {
                                name.learnFrom(e);
                                throw e;
                            }
                        });
                    }
                    // before Flyway commits: a failing judgement rolls the migration back, without a history row
                    ZddJudge.after(session, connection, name.get());
                    return result;
                } finally {
                    session.migrating = false;
                }
            }
        };
    }

    @Override
    public SqlScriptExecutorFactory createSqlScriptExecutorFactory(JdbcConnectionFactory jdbcConnectionFactory,
                                                                   CallbackExecutor<Event> callbackExecutor,
                                                                   StatementInterceptor statementInterceptor) {
        DatabaseType self = this;
        return (connection, undo, batch, outputQueryResults) -> new StatementRetryingExecutor(
                new JdbcTemplate(connection, self), callbackExecutor, undo,
                jdbcConnectionFactory.isSupportsBatch() && batch, outputQueryResults, statementInterceptor);
    }

    /**
     * With {@code flyway.postgresql.transactional.lock=true} (Flyway's default) Flyway holds its
     * schema-history lock in an open transaction on another connection, and a concurrent index build
     * waits for that transaction: it can never finish (flyway/flyway#3682). LockSafe turns the hang into
     * bounded attempts; this says why they fail and what fixes it.
     */
    @SuppressWarnings("deprecation") // getPlugin(Class): its Flyway 13 replacements do not exist in Flyway 11
    private static void warnIfFlywaysOwnLockWillBlock(MigrationSession session, String sql, Configuration config) {
        if (session.warnedAboutTransactionalLock || !Statements.isConcurrentIndexBuild(sql)) {
            return;
        }
        PostgreSQLConfigurationExtension pg = config.getPluginRegister().getPlugin(PostgreSQLConfigurationExtension.class);
        if (pg != null && pg.isTransactionalLock()) {
            session.warnedAboutTransactionalLock = true;
            FlywayLogSink.log().warn("LockSafe: " + session.scriptName + " builds an index CONCURRENTLY while Flyway"
                    + " holds its schema-history lock in an open transaction (flyway.postgresql.transactional.lock=true);"
                    + " the build waits for that transaction and cannot finish. Set"
                    + " flyway.postgresql.transactional.lock=false, as Flyway advises for concurrent index builds.");
        }
    }

    /** Names the running migration for logs and errors, as soon as Flyway lets on which it is. */
    private static final class MigrationName implements Supplier<String> {
        private final MigrationSession session;
        private String fromStack;

        MigrationName(MigrationSession session) {
            this.session = session;
        }

        /** A Java migration shows in the failure's stack trace as the class whose migrate() failed. */
        void learnFrom(Throwable failure) {
            if (session.scriptName != null || fromStack != null) {
                return;
            }
            for (Throwable t = failure; t != null && fromStack == null; t = t.getCause()) {
                for (StackTraceElement frame : t.getStackTrace()) {
                    String simple = frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1);
                    simple = simple.substring(simple.lastIndexOf('$') + 1);
                    if (frame.getMethodName().equals("migrate") && simple.matches("[VRU]\\w*__\\w+")) {
                        fromStack = simple;
                        break;
                    }
                }
            }
        }

        @Override
        public String get() {
            String script = session.scriptName;
            return script != null ? script : fromStack != null ? fromStack : "Java migration";
        }
    }

    /** Names SQL migrations and retries the statements of non-transactional ones. */
    private static final class StatementRetryingExecutor extends DefaultSqlScriptExecutor {

        StatementRetryingExecutor(JdbcTemplate jdbcTemplate, CallbackExecutor<Event> callbackExecutor, boolean undo,
                                  boolean batch, boolean outputQueryResults, StatementInterceptor interceptor) {
            super(jdbcTemplate, callbackExecutor, undo, batch, outputQueryResults, interceptor);
        }

        @Override
        public List<Results> execute(SqlScript sqlScript, Configuration config) {
            MigrationSession session = MigrationSession.of(jdbcTemplate.getConnection());
            if (session != null && session.migrating && sqlScript.getResource() != null) {
                session.scriptName = sqlScript.getResource().getFilename();
                session.allowMarkers = ZddJudge.allowMarkers(session, sqlScript.getResource());
            }
            return super.execute(sqlScript, config);
        }

        @Override
        protected Results executeStatement(JdbcTemplate template, SqlScript sqlScript, SqlStatement sqlStatement,
                                           Configuration config) {
            Connection connection = template.getConnection();
            MigrationSession session = MigrationSession.of(connection);
            try {
                if (session == null || !session.migrating || !connection.getAutoCommit()) {
                    return super.executeStatement(template, sqlScript, sqlStatement, config);
                }
                warnIfFlywaysOwnLockWillBlock(session, sqlStatement.getSql(), config);
                try (LockSafe engine = session.newEngine()) {
                    return engine.runStatement(() -> session.scriptName, connection, sqlStatement.getSql(),
                            () -> super.executeStatement(template, sqlScript, sqlStatement, config));
                }
            } catch (SQLException e) {
                throw new FlywayException(e.getMessage(), e);
            }
        }
    }
}
