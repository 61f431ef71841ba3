package dev.locksafe.flyway;

import dev.locksafe.LockRelease;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
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
import org.flywaydb.database.postgresql.PostgreSQLDatabaseType;

/**
 * Flyway's PostgreSQL support with LockSafe's retries. It takes over plain PostgreSQL only: when a
 * PostgreSQL-compatible engine that Flyway handles with a type of its own (CockroachDB, Redshift,
 * YugabyteDB, ...) would be chosen, it steps aside.
 *
 * <p>Two hooks, both used only while {@link LockSafeMigrationCallback} has registered a migration on
 * the connection (so clean, repair, callbacks and schema-history work are untouched):
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
        // take over only where Flyway would otherwise pick plain PostgreSQL
        DatabaseType otherwise = DatabaseTypeRegister.getDatabaseTypes().stream()
                .filter(t -> t instanceof DatabaseType && !(t instanceof LockSafePostgreSQLDatabaseType))
                .map(t -> (DatabaseType) t)
                .sorted(Comparator.comparingInt(DatabaseType::getPriority).reversed())
                .filter(t -> t.handlesDatabaseProductNameAndVersion(databaseProductName, databaseProductVersion,
                        connection))
                .findFirst()
                .orElse(null);
        return otherwise != null && otherwise.getClass() == PostgreSQLDatabaseType.class;
    }

    @Override
    public DatabaseExecutionStrategy createExecutionStrategy(Connection connection) {
        ActiveMigrations.Active active = ActiveMigrations.get(connection);
        if (active == null) {
            return super.createExecutionStrategy(connection);
        }
        return new DatabaseExecutionStrategy() {
            @Override
            public <T> T execute(org.flywaydb.core.internal.util.SqlCallable<T> callable) throws SQLException {
                if (connection.getAutoCommit()) {
                    // non-transactional: SQL statements are retried one by one by the script executor below
                    return callable.call();
                }
                return active.engine.runInTransaction(active.id, connection, LockRelease.savepoint(), callable::call);
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

    private static final java.util.regex.Pattern CONCURRENT_INDEX =
            java.util.regex.Pattern.compile("(?is)^\\s*create\\s+(unique\\s+)?index\\s+concurrently\\b.*");

    /**
     * With {@code flyway.postgresql.transactional.lock=true} (Flyway's default) Flyway holds its
     * schema-history lock in an open transaction on another connection, and a concurrent index build
     * waits for that transaction: it can never finish (flyway/flyway#3682). LockSafe turns the hang into
     * bounded attempts; this says why they fail and what fixes it.
     */
    private static void warnIfFlywaysOwnLockWillBlock(ActiveMigrations.Active active, String sql,
                                                      Configuration config) {
        if (active.warnedAboutTransactionalLock || !CONCURRENT_INDEX.matcher(sql).matches()) {
            return;
        }
        org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension pg = config.getPluginRegister()
                .getPlugin(org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension.class);
        if (pg != null && pg.isTransactionalLock()) {
            active.warnedAboutTransactionalLock = true;
            FlywayLogSink.LOG.warn("LockSafe: " + active.id + " builds an index CONCURRENTLY while Flyway holds its"
                    + " schema-history lock in an open transaction (flyway.postgresql.transactional.lock=true); the"
                    + " build waits for that transaction and cannot finish. Set"
                    + " flyway.postgresql.transactional.lock=false, as Flyway advises for concurrent index builds.");
        }
    }

    /** Retries single statements of non-transactional migrations. */
    private static final class StatementRetryingExecutor extends DefaultSqlScriptExecutor {

        StatementRetryingExecutor(JdbcTemplate jdbcTemplate, CallbackExecutor<Event> callbackExecutor, boolean undo,
                                  boolean batch, boolean outputQueryResults, StatementInterceptor interceptor) {
            super(jdbcTemplate, callbackExecutor, undo, batch, outputQueryResults, interceptor);
        }

        @Override
        protected Results executeStatement(JdbcTemplate template, SqlScript sqlScript, SqlStatement sqlStatement,
                                           Configuration config) {
            Connection connection = template.getConnection();
            ActiveMigrations.Active active = ActiveMigrations.get(connection);
            try {
                if (active == null || !connection.getAutoCommit()) {
                    return super.executeStatement(template, sqlScript, sqlStatement, config);
                }
                warnIfFlywaysOwnLockWillBlock(active, sqlStatement.getSql(), config);
                return active.engine.runStatement(active.id, connection, sqlStatement.getSql(),
                        () -> super.executeStatement(template, sqlScript, sqlStatement, config));
            } catch (SQLException e) {
                throw new FlywayException(e.getMessage(), e);
            }
        }
    }
}
