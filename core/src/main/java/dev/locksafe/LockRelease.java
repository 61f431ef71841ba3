package dev.locksafe;

import dev.locksafe.internal.SqlSavepointRelease;
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
     * and anything done in it before the unit stay intact. The default. LockSafe sends the savepoint in
     * the same round trip as the attempt's timeouts, and its release with their restore.
     */
    static LockRelease savepoint() {
        return SqlSavepointRelease.perAttempt();
    }

    /**
     * One savepoint for units that run one after another in the same transaction (the changes of a
     * Liquibase changeset): set by the first attempt of the first unit that uses this instance, in the same
     * round trip as its timeouts, and kept. A failed attempt of any of the units rolls back to it, which
     * undoes the units before it too: the caller runs them again before the failed one. A savepoint that is
     * gone (a unit committed its transaction itself) fails the attempt without a retry, as with
     * {@link #toSavepoint}. Use one instance per transaction.
     */
    static LockRelease sharedSavepoint() {
        return SqlSavepointRelease.shared();
    }

    /**
     * A failed attempt rolls back to {@code savepoint}, which the caller set before the first attempt of
     * a larger unit (the first change of a changeset, say) and which stays for the attempts after it. What
     * ran between the savepoint and the attempt is undone too: the caller runs it again.
     */
    static LockRelease toSavepoint(Savepoint savepoint) {
        return connection -> new Mark() {
            @Override
            public void rollback() throws SQLException {
                rollbackTo(connection, savepoint);
            }

            @Override
            public void keep() {
            }
        };
    }

    /**
     * Rolls back to {@code savepoint}. A savepoint that no longer exists means the unit committed (or
     * rolled back) its transaction itself: what it did before that is committed, and running it again
     * would apply it twice, so this fails with a message that says so, and the unit is not retried.
     */
    private static void rollbackTo(Connection connection, Savepoint savepoint) throws SQLException {
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            throw SqlSavepointRelease.savepointGone(e);
        }
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
