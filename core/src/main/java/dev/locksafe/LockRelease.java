package dev.locksafe;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * How a transactional unit gives back every lock it took when an attempt fails, so that other sessions
 * are not queued behind it while it backs off. PostgreSQL releases a lock taken after a savepoint when
 * that savepoint is rolled back, and every lock of a transaction when it rolls back.
 *
 * <p>Both ways also undo the unit's transaction-local settings, which is why LockSafe sets
 * {@code lock_timeout} again at the start of each attempt.
 */
public interface LockRelease {

    /**
     * Marks the point to return to; called at the start of each attempt, inside the transaction.
     *
     * @return what to do when the attempt ends
     */
    Mark mark(Connection connection) throws SQLException;

    /** The point an attempt returns to on failure. */
    interface Mark {
        /** The attempt failed with a retryable error: give back its locks and undo its work. */
        void rollback() throws SQLException;

        /** The attempt succeeded: keep its work. */
        void keep() throws SQLException;
    }

    /**
     * A savepoint before each attempt; a failed attempt rolls back to it. The surrounding transaction
     * and anything done in it before the unit stay intact. The default.
     */
    static LockRelease savepoint() {
        return connection -> {
            Savepoint sp = connection.setSavepoint();
            return new Mark() {
                @Override
                public void rollback() throws SQLException {
                    connection.rollback(sp);
                    connection.releaseSavepoint(sp);
                }

                @Override
                public void keep() throws SQLException {
                    connection.releaseSavepoint(sp);
                }
            };
        };
    }

    /**
     * The whole transaction is rolled back after a failed attempt ({@link Connection#rollback()}); the
     * next attempt runs in a new transaction. Use it when the unit is the only work in its transaction
     * and savepoints are unwanted (each savepoint rollback uses a subtransaction).
     */
    static LockRelease rollbackTransaction() {
        return connection -> new Mark() {
            @Override
            public void rollback() throws SQLException {
                connection.rollback();
            }

            @Override
            public void keep() {
            }
        };
    }
}
