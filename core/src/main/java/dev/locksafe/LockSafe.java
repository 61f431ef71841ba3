package dev.locksafe;

import dev.locksafe.internal.RetryEngine;
import dev.locksafe.internal.ThreadSleeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs migration work with a bounded lock wait, and retries it when the wait times out.
 *
 * <p>Two modes, matching how migrations run:
 * <ul>
 *   <li>{@link #runInTransaction} for work inside a transaction (autocommit off): each attempt sets
 *       {@code lock_timeout} (and {@code statement_timeout} when configured) transaction-locally; on a
 *       retryable error the {@link LockRelease} gives back every lock the attempt took, the engine waits
 *       the backoff and runs the work again.</li>
 *   <li>{@link #runStatement} for one statement in autocommit mode ({@code CREATE INDEX CONCURRENTLY},
 *       non-transactional migrations): the timeout is set for the session and restored afterwards,
 *       whatever happens; an INVALID index left by a failed concurrent build is dropped before the
 *       retry.</li>
 * </ul>
 * Errors that are not retryable pass through unchanged, at once. When attempts run out, a
 * {@link LockRetriesExhaustedException} is thrown.
 *
 * <p>Instances are thread-safe; one serves any number of units and connections. Close it to close the
 * blocker-lookup connection, if one was opened.
 *
 * <pre>{@code
 * try (LockSafe lockSafe = LockSafe.builder(settings).probeConnections(ConnectionSource.of(dataSource)).build()) {
 *     lockSafe.runInTransaction("add note column", connection, LockRelease.savepoint(), () -> {
 *         try (Statement st = connection.createStatement()) {
 *             return st.executeUpdate("ALTER TABLE orders ADD COLUMN note text");
 *         }
 *     });
 * }
 * }</pre>
 */
public interface LockSafe extends AutoCloseable {

    /** An engine with these settings, logging through SLF4J and without blocker lookup. */
    static LockSafe of(LockSafeSettings settings) {
        return builder(settings).build();
    }

    /** A builder for an engine with these settings. */
    static Builder builder(LockSafeSettings settings) {
        return new Builder(settings);
    }

    /** The policy of this engine. */
    LockSafeSettings settings();

    /**
     * Runs {@code work} on {@code connection}, which must be inside a transaction (autocommit off),
     * with the policy's lock timeout, retrying on retryable errors.
     *
     * @param unitId    names the work in logs and errors, for example {@code V2__add_note}
     * @param release   how a failed attempt gives back its locks
     * @throws X                               the work's own error when it is not retryable
     * @throws LockRetriesExhaustedException   when the last attempt failed with a retryable error
     * @throws SQLException                    when the session settings cannot be applied
     */
    default <T, X extends Exception> T runInTransaction(String unitId, Connection connection, LockRelease release,
                                                        UnitOfWork<T, X> work) throws X, SQLException {
        Objects.requireNonNull(unitId, "unitId");
        return runInTransaction(() -> unitId, connection, release, work);
    }

    /**
     * As {@link #runInTransaction(String, Connection, LockRelease, UnitOfWork)}, for callers that learn
     * the unit's name only once the work runs (a host tool that names its migration from inside it).
     * The supplier is asked when an event or error needs the name.
     */
    <T, X extends Exception> T runInTransaction(Supplier<String> unitId, Connection connection, LockRelease release,
                                                UnitOfWork<T, X> work) throws X, SQLException;

    /**
     * As {@link #runInTransaction(Supplier, Connection, LockRelease, UnitOfWork)}, and {@code statement}
     * names the statement the work was running when an attempt failed, so that retry and exhaustion
     * lines name it even without a lookup connection (which sees only what waited for a lock). Asked only
     * after a failed attempt; it may return {@code null} when it does not know. A host tool that sees each
     * statement as it is sent records the last one and answers with it.
     */
    <T, X extends Exception> T runInTransaction(Supplier<String> unitId, Supplier<String> statement,
                                                Connection connection, LockRelease release, UnitOfWork<T, X> work)
            throws X, SQLException;

    /**
     * Runs one statement's {@code work} on {@code connection} in autocommit mode, with the policy's lock
     * timeout set for the session and restored afterwards, retrying on retryable errors.
     *
     * @param sql the statement the work executes; used to recognise {@code CREATE INDEX CONCURRENTLY}
     *            and for logs, never altered
     */
    default <T, X extends Exception> T runStatement(String unitId, Connection connection, String sql,
                                                    UnitOfWork<T, X> work) throws X, SQLException {
        Objects.requireNonNull(unitId, "unitId");
        return runStatement(() -> unitId, connection, sql, work);
    }

    /** As {@link #runStatement(String, Connection, String, UnitOfWork)}, with the name asked for when needed. */
    <T, X extends Exception> T runStatement(Supplier<String> unitId, Connection connection, String sql,
                                            UnitOfWork<T, X> work) throws X, SQLException;

    /** Executes {@code sql} with {@link java.sql.Statement#execute(String)} through {@link #runStatement}. */
    default void executeStatement(String unitId, Connection connection, String sql) throws SQLException {
        runStatement(unitId, connection, sql, () -> {
            try (java.sql.Statement st = connection.createStatement()) {
                return st.execute(sql);
            }
        });
    }

    /** Closes the blocker-lookup connection, if one was opened. Never throws. */
    @Override
    void close();

    /** Waits between attempts; replaceable in tests. */
    @FunctionalInterface
    interface Sleeper {
        /** Sleeps {@code duration}. */
        void sleep(Duration duration) throws InterruptedException;

        /**
         * Sleeps {@code duration} at most, and returns as soon as {@code wakeUp} completes normally (the
         * blockers of the failed attempt have ended). The default ignores {@code wakeUp} and sleeps the whole
         * {@code duration}, so a sleeper written for a test stays deterministic; the built-in sleeper wakes up.
         */
        default void sleep(Duration duration, CompletableFuture<?> wakeUp) throws InterruptedException {
            sleep(duration);
        }
    }

    /** Builds a {@link LockSafe}. Not thread-safe. */
    final class Builder {
        private final LockSafeSettings settings;
        /** {@code null}: the default, made only at {@link #build()}, so that a host that sets its own never touches SLF4J. */
        private AttemptListener listener;
        private final java.util.List<AttemptListener> moreListeners = new java.util.ArrayList<>();
        private String tool = "api";
        private ConnectionSource probeConnections;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = new ThreadSleeper();

        private Builder(LockSafeSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /**
         * What runs the units, as events and metrics name it: {@code flyway}, {@code liquibase}; default
         * {@code api}.
         */
        public Builder tool(String tool) {
            this.tool = Objects.requireNonNull(tool, "tool");
            return this;
        }

        /**
         * Who hears about attempts; default {@link AttemptListener#logging()}. The listeners of
         * {@link AttemptListeners} hear them too, whatever is set here.
         */
        public Builder listener(AttemptListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Also tells {@code listener} about this engine's attempts, after the {@link #listener}: how a host
         * adds an application's own listener (its metrics) to the one that logs. Each listener is called on
         * its own; one that throws does not keep the others from hearing.
         */
        public Builder addListener(AttemptListener listener) {
            this.moreListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Where a second connection comes from for looking up blocking sessions while a statement
         * waits, and for telling when they have ended, so that the next attempt starts then rather than
         * after a blind backoff; without one, events carry no blockers and every wait is the full backoff.
         */
        public Builder probeConnections(ConnectionSource source) {
            this.probeConnections = source;
            return this;
        }

        /** The clock for event timestamps and elapsed times; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How the engine waits between attempts; default: the calling thread sleeps, and wakes up as soon as
         * the blockers of the failed attempt have ended.
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** The engine. */
        public LockSafe build() {
            return new RetryEngine(settings, tool, listener != null ? listener : AttemptListener.logging(), moreListeners,
                    probeConnections, clock, sleeper);
        }
    }
}
