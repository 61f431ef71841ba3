package dev.locksafe.internal;

import dev.locksafe.LockRelease;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The savepoints behind {@link LockRelease#savepoint()} and {@link LockRelease#sharedSavepoint()}, set,
 * rolled back to and released with plain SQL, so that the engine sends them in the same round trip as its
 * own statements: the savepoint with the statement that sets the attempt's timeouts, the release with the
 * one that restores them. On an uncontended migration those round trips are LockSafe's whole cost (a
 * {@code create table} migration is a few milliseconds, a loopback round trip a tenth of one).
 *
 * <p>Savepoint names are fixed SQL text, never configuration: PostgreSQL resolves a name to the newest
 * savepoint that has it, so units nested inside another unit's attempt each address their own.
 */
public abstract class SqlSavepointRelease implements LockRelease {

    private SqlSavepointRelease() {
    }

    /** The SQL that sets the mark before an attempt, or {@code null} when the mark exists already. */
    public abstract String markSql();

    /** The attempt's mark, once {@link #markSql()} has run. */
    public abstract SqlMark marked(Connection connection);

    @Override
    public final Mark mark(Connection connection) throws SQLException {
        String sql = markSql();
        if (sql != null) {
            execute(connection, sql);
        }
        return marked(connection);
    }

    /** A mark whose keeping is SQL the engine can send with its own. */
    public interface SqlMark extends Mark {
        /** What keeps a successful attempt's work, or {@code null} when nothing needs to be sent. */
        String keepSql();
    }

    /** A savepoint per attempt, released when the attempt succeeds. */
    public static LockRelease perAttempt() {
        return new SqlSavepointRelease() {
            private static final String NAME = "locksafe_attempt";

            @Override
            public String markSql() {
                return "SAVEPOINT " + NAME;
            }

            @Override
            public SqlMark marked(Connection connection) {
                return new SqlMark() {
                    @Override
                    public String keepSql() {
                        return "RELEASE SAVEPOINT " + NAME;
                    }

                    @Override
                    public void rollback() throws SQLException {
                        rollbackTo(connection, "ROLLBACK TO SAVEPOINT " + NAME + "; RELEASE SAVEPOINT " + NAME);
                    }

                    @Override
                    public void keep() throws SQLException {
                        execute(connection, keepSql());
                    }
                };
            }

            @Override
            public String toString() {
                return "LockRelease.savepoint()";
            }
        };
    }

    /**
     * One savepoint for the units that run one after another in a transaction, set by the first attempt
     * of the first unit and kept: every failed attempt returns to it.
     */
    public static LockRelease shared() {
        return new SqlSavepointRelease() {
            private static final String NAME = "locksafe_units";
            private boolean set;

            @Override
            public String markSql() {
                return set ? null : "SAVEPOINT " + NAME;
            }

            @Override
            public SqlMark marked(Connection connection) {
                set = true;
                return new SqlMark() {
                    @Override
                    public String keepSql() {
                        return null;
                    }

                    @Override
                    public void rollback() throws SQLException {
                        rollbackTo(connection, "ROLLBACK TO SAVEPOINT " + NAME);
                    }

                    @Override
                    public void keep() {
                    }
                };
            }

            @Override
            public String toString() {
                return "LockRelease.sharedSavepoint()";
            }
        };
    }

    private static void rollbackTo(Connection connection, String sql) throws SQLException {
        try {
            execute(connection, sql);
        } catch (SQLException e) {
            throw savepointGone(e);
        }
    }

    /**
     * {@code failure} of a rollback to a savepoint, with what it means when the savepoint no longer exists:
     * the unit committed (or rolled back) its transaction itself, so what it did before that is committed,
     * and running it again would apply it twice. The failure has the same SQLSTATE, so it is not retried.
     */
    public static SQLException savepointGone(SQLException failure) {
        if (!"3B001".equals(failure.getSQLState())) {
            return failure;
        }
        return new SQLException("LockSafe cannot retry: the savepoint it set before the attempt is gone, so the"
                + " migration ended its own transaction (an explicit COMMIT or ROLLBACK, or a procedure that"
                + " commits) and what ran before that is committed. A retry would apply it a second time."
                + " Split the migration where it commits, or run it outside a transaction.", "3B001", failure);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }
}
