package dev.locksafe.internal;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.AttemptListeners;
import dev.locksafe.Blocker;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockRelease;
import dev.locksafe.LockRetriesExhaustedException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.LogSink;
import dev.locksafe.UnitOfWork;
import dev.locksafe.check.CheckMode;
import dev.locksafe.check.Rule;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link LockSafe}. The retry decision and the backoff come from a Resilience4j
 * {@link Retry}, driven through its {@link Retry.AsyncContext}: that context answers "retry, after how
 * long?" without sleeping itself, so the engine can release the unit's locks before it waits, wait with
 * its own {@link LockSafe.Sleeper}, and set the timeouts again before the next attempt.
 */
public final class RetryEngine implements LockSafe {

    /**
     * Created on first use: a host without an SLF4J provider (the Liquibase command line) gets no SLF4J
     * start-up warning from LockSafe unless LockSafe really logs through SLF4J.
     */
    private static final class Slf4j {
        static final Logger LOG = LoggerFactory.getLogger(RetryEngine.class);
    }

    private final LockSafeSettings settings;
    private final String tool;
    /** The engine's own listener and the ones added to it; then come the {@link AttemptListeners} of the moment. */
    private final List<AttemptListener> listeners;
    /** The listeners that read the transaction's state at the end of each successful unit inside it. */
    private final List<UnitEndRead> unitEndReads;
    private final BlockerProbe probe;
    /**
     * Where the engine, the blocker lookup and the index cleanup say what they do: the host tool's output
     * when the engine's listener is LockSafe's logging listener (Flyway's or Liquibase's own log, which
     * reaches their consoles without an SLF4J provider), SLF4J otherwise.
     */
    private final LogSink log;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RetryConfig retryConfig;
    private volatile boolean sessionMovedWarned;
    /**
     * How often a transactional unit's write-blocking locks are looked for (rule L209 of the ZDD check), or
     * {@code null} when the check does not time them.
     */
    private final Duration holdResolution;

    public RetryEngine(LockSafeSettings settings, String tool, AttemptListener listener,
                       List<AttemptListener> moreListeners, ConnectionSource probeConnections, Clock clock,
                       Sleeper sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tool = Objects.requireNonNull(tool, "tool");
        List<AttemptListener> all = new java.util.ArrayList<>();
        all.add(Objects.requireNonNull(listener, "listener"));
        all.addAll(moreListeners);
        this.listeners = List.copyOf(all);
        this.unitEndReads = listeners.stream().filter(UnitEndRead.class::isInstance).map(UnitEndRead.class::cast)
                .toList();
        this.log = listener instanceof LoggingAttemptListener logging ? logging.sink() : LogSink.of(Slf4j.LOG);
        this.probe = probeConnections != null && settings.logBlockers() ? new BlockerProbe(probeConnections, log) : null;
        this.holdResolution = settings.check() != CheckMode.OFF && !settings.checkSeverity().off(Rule.L209)
                ? settings.checkMaxExclusiveHold().dividedBy(4) : null;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.retryConfig = RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalBiFunction(IntervalBiFunction.ofIntervalFunction(backoff(settings)))
                .retryOnException(t -> retryableSqlState(t) != null)
                .failAfterMaxAttempts(false)
                .build();
    }

    private static IntervalFunction backoff(LockSafeSettings s) {
        long initial = s.initialBackoff().toMillis();
        long max = s.maxBackoff().toMillis();
        if (s.jitter() == 0.0) {
            return IntervalFunction.ofExponentialBackoff(initial, s.backoffMultiplier(), max);
        }
        return IntervalFunction.ofExponentialRandomBackoff(initial, s.backoffMultiplier(), s.jitter(), max);
    }

    @Override
    public LockSafeSettings settings() {
        return settings;
    }

    @Override
    public <T, X extends Exception> T runInTransaction(Supplier<String> unitId, Connection connection,
                                                       LockRelease release, UnitOfWork<T, X> work)
            throws X, SQLException {
        return runInTransaction(unitId, () -> null, connection, release, work);
    }

    @Override
    public <T, X extends Exception> T runInTransaction(Supplier<String> unitId, Supplier<String> statement,
                                                       Connection connection, LockRelease release,
                                                       UnitOfWork<T, X> work) throws X, SQLException {
        Objects.requireNonNull(unitId, "unitId");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(release, "release");
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("LockSafe: runInTransaction(" + unitId.get()
                    + ") needs a connection inside a transaction (autocommit off); use runStatement for autocommit work");
        }
        return run(unitId, connection, null, new Mode() {
            @Override
            public <R, E extends Exception> R attempt(Duration lockTimeout, boolean last, Attempt tracker,
                                                      UnitOfWork<R, E> w) throws E, SQLException {
                tracker.sentStatement = statement;
                // LockSafe's own savepoints travel with the timeouts, and their release with the restore
                SqlSavepointRelease sqlRelease = release instanceof SqlSavepointRelease s ? s : null;
                String markSql = sqlRelease == null ? null : sqlRelease.markSql();
                LockRelease.Mark mark = sqlRelease == null ? release.mark(connection) : sqlRelease.marked(connection);
                SessionTimeouts.Previous previous;
                try {
                    previous = SessionTimeouts.apply(connection, markSql, lockTimeout,
                            settings.statementTimeout().orElse(null), true);
                } catch (SQLException | RuntimeException e) {
                    if (markSql == null) {
                        rollBack(mark, e);
                    } else {
                        // the savepoint went with the failed statement: it may not have been set
                        try {
                            mark.rollback();
                        } catch (SQLException | RuntimeException rollbackFailure) {
                            e.addSuppressed(rollbackFailure);
                        }
                    }
                    throw e;
                }
                R result;
                try {
                    tracker.watch(previous.backendPid, lockTimeout, holdResolution);
                    result = w.run();
                } catch (Exception e) {
                    if (retryableSqlState(e) != null) {
                        rollBack(mark, e); // gives back every lock of the attempt and undoes its SET LOCAL
                    }
                    throw e;
                } finally {
                    tracker.stopWatch();
                }
                if (mark instanceof SqlSavepointRelease.SqlMark sqlMark) {
                    SessionTimeouts.restore(connection, previous, true, sqlMark.keepSql(), unitEndReads);
                } else {
                    SessionTimeouts.restore(connection, previous, true, null, unitEndReads);
                    mark.keep();
                }
                return result;
            }
        }, work);
    }

    @Override
    public <T, X extends Exception> T runStatement(Supplier<String> unitId, Connection connection, String sql,
                                                   UnitOfWork<T, X> work) throws X, SQLException {
        Objects.requireNonNull(unitId, "unitId");
        Objects.requireNonNull(sql, "sql");
        if (!connection.getAutoCommit()) {
            throw new IllegalStateException("LockSafe: runStatement(" + unitId.get()
                    + ") needs a connection in autocommit mode; use runInTransaction inside a transaction");
        }
        InvalidIndexCleaner cleaner = InvalidIndexCleaner.forStatement(sql);
        String shortSql = Text.shortenSql(sql);
        return run(unitId, connection, shortSql, new Mode() {
            @Override
            public <R, E extends Exception> R attempt(Duration lockTimeout, boolean last, Attempt tracker,
                                                      UnitOfWork<R, E> w) throws E, SQLException {
                SessionTimeouts.Previous previous = SessionTimeouts.apply(connection, lockTimeout,
                        settings.statementTimeout().orElse(null), false);
                Throwable failure = null;
                try {
                    try {
                        tracker.watch(previous.backendPid, lockTimeout); // the cleanup's drop can be blocked too
                        if (cleaner != null) {
                            // leftovers a previous attempt could not drop must go before the build runs again,
                            // or it fails with "already exists" (or, with IF NOT EXISTS, keeps the broken index)
                            try {
                                cleaner.prepare(unitId.get(), connection, log);
                            } catch (SQLException e) {
                                tracker.failedStatement = Text.shortenSql(cleaner.lastDrop()); // what timed out
                                throw e;
                            }
                        }
                        return w.run();
                    } finally {
                        tracker.stopWatch();
                    }
                } catch (Throwable e) {
                    failure = e;
                    throw e;
                } finally {
                    try {
                        if (failure != null && cleaner != null && retryableSqlState(failure) != null) {
                            // after the last attempt nothing would come back for the leftover: wait for its drop
                            // (which blocks no reads or writes) up to maxBackoff, the longest wait LockSafe makes
                            cleaner.dropLeftoversAfterFailure(unitId.get(), connection,
                                    last ? settings.maxBackoff() : null, log);
                        }
                    } catch (RuntimeException cleanupFailure) {
                        failure.addSuppressed(cleanupFailure); // only ever runs after a failure
                    } finally {
                        restore(unitId, connection, previous, failure);
                    }
                }
            }
        }, work);
    }

    /**
     * Rolls the attempt back after {@code failure}. When the rollback itself fails, the transaction is in
     * no state to retry in: the rollback's failure is thrown, carrying {@code failure} as suppressed (only
     * the cause chain is looked at for a retryable SQLSTATE, so it is not retried).
     */
    private static void rollBack(LockRelease.Mark mark, Exception failure) throws SQLException {
        try {
            mark.rollback();
        } catch (SQLException | RuntimeException rollbackFailure) {
            rollbackFailure.addSuppressed(failure);
            throw rollbackFailure;
        }
    }

    /**
     * Puts the session's timeouts back after a statement. A failure to do so is thrown when the statement
     * succeeded, and added to the statement's failure otherwise.
     */
    private void restore(Supplier<String> unitId, Connection connection, SessionTimeouts.Previous previous,
                         Throwable failure) throws SQLException {
        try {
            int restoredBy = SessionTimeouts.restore(connection, previous, false);
            if (restoredBy != previous.backendPid) {
                warnSessionMoved(unitId.get(), previous.backendPid, restoredBy);
            }
        } catch (SQLException | RuntimeException restoreFailure) {
            if (failure == null) {
                throw restoreFailure;
            }
            failure.addSuppressed(restoreFailure);
        }
    }

    /**
     * The statement's SET and its restore ran in different server sessions: the connection goes through
     * a transaction-mode pooler, where a session setting outlives the statement in a server session other
     * clients get next, and may not even reach the statement. Said once per engine (per migration run).
     */
    private void warnSessionMoved(String unitId, int setBy, int restoredBy) {
        if (!sessionMovedWarned) {
            sessionMovedWarned = true;
            log.warn("LockSafe: {} ran outside a transaction, and its lock_timeout was set by server process {} but"
                    + " restored by {}: this connection is not one server session (a transaction-mode pooler such as"
                    + " PgBouncer pool_mode=transaction?). There, settings for statements outside a transaction can"
                    + " reach other clients and miss the statement. Run such migrations on a direct or session-mode"
                    + " connection.", unitId, setBy, restoredBy);
        }
    }

    /** One attempt's shape, per mode. */
    private interface Mode {
        <R, E extends Exception> R attempt(Duration lockTimeout, boolean last, Attempt tracker,
                                           UnitOfWork<R, E> work) throws E, SQLException;
    }

    /** Per-attempt state shared between the loop and the mode. */
    private final class Attempt {
        private BlockerProbe.Watch watch = BlockerProbe.Watch.none();
        private List<Blocker> blockers = List.of();
        private List<BlockerProbe.Transaction> transactions = List.of();
        private String waitingStatement;
        /** Set when the attempt failed in a statement of LockSafe's own (a cleanup drop), not the unit's. */
        private String failedStatement;
        /** The host tool's record of the statement it sent last, or {@code null}. */
        private Supplier<String> sentStatement;
        /** The write-blocking locks the attempt was seen holding, when the ZDD check asks for them. */
        private List<AttemptEvent.HeldLock> heldLocks = List.of();

        /**
         * What the failed attempt was running: LockSafe's own statement if that failed, else the statement the
         * engine was given, else the one the host tool sent last, else the one the server showed waiting.
         */
        String failedStatement(String given) {
            if (failedStatement != null) {
                return failedStatement;
            }
            if (given != null) {
                return given;
            }
            String sent = sentStatement == null ? null : sentStatement.get();
            return sent != null ? Text.shortenSql(sent) : waitingStatement;
        }

        void watch(int pid, Duration lockTimeout) {
            watch(pid, lockTimeout, null);
        }

        /** Also looks for the write-blocking locks the attempt holds, when {@code holdResolution} is given. */
        void watch(int pid, Duration lockTimeout, Duration holdResolution) {
            watch = probe == null ? BlockerProbe.Watch.none() : probe.watch(pid, lockTimeout, holdResolution);
        }

        void stopWatch() {
            Instant end = Instant.now(); // the probe's looks are timed by the system clock too
            List<Blocker> seen = watch.stop();
            heldLocks = watch.heldUntil(end);
            if (!seen.isEmpty()) {
                blockers = seen;
                transactions = watch.transactions();
                waitingStatement = watch.waitingStatement();
            }
        }

    }

    /**
     * The retryable SQLSTATE in {@code failure}'s cause chain, or {@code null}. The one rule for what is
     * retried: the Resilience4j predicate, the lock release and the loop all ask here. An exhaustion
     * from a nested unit is never retried again.
     */
    private String retryableSqlState(Throwable failure) {
        return failure instanceof LockRetriesExhaustedException ? null
                : SqlStates.findRetryable(failure, settings.retrySqlStates());
    }

    private <T, X extends Exception> T run(Supplier<String> unitId, Connection connection, String statement,
                                           Mode mode, UnitOfWork<T, X> work) throws X, SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(work, "work");
        Retry.AsyncContext<T> context = Retry.of("locksafe", retryConfig).asyncContext();
        Instant start = clock.instant();
        Waited waited = Waited.NOTHING;
        for (int attempt = 1; ; attempt++) {
            Duration lockTimeout = settings.lockTimeoutForAttempt(attempt).orElse(null);
            Attempt tracker = new Attempt();
            Instant attemptStart = clock.instant();
            EventFactory events = new EventFactory(unitId, attempt, lockTimeout, attemptStart, start, waited);
            try {
                T result = mode.attempt(lockTimeout, attempt >= settings.maxAttempts(), tracker, work);
                AttemptEvent success = events.create(attempt == 1 ? AttemptEvent.Type.SUCCESS
                        : AttemptEvent.Type.SUCCESS_AFTER_RETRY, statement, null, null, List.of(), Duration.ZERO, false,
                        tracker.heldLocks);
                if (attempt > 1) {
                    notify(success, AttemptListener::onSuccessAfterRetry);
                }
                notify(success, AttemptListener::onSuccess);
                context.onComplete();
                return result;
            } catch (Exception failure) {
                String sqlState = retryableSqlState(failure);
                if (sqlState == null) {
                    throw failure; // not ours to handle: unchanged, at once
                }
                long delay = context.onError(failure);
                String message = SqlStates.messageOf(failure, sqlState);
                String failedStatement = tracker.failedStatement(statement);
                List<Blocker> blockers = tracker.blockers;
                if (delay < 0) {
                    AttemptEvent exhausted = events.create(AttemptEvent.Type.EXHAUSTED, failedStatement, sqlState,
                            message, blockers, Duration.ZERO, false, List.of());
                    notify(exhausted, AttemptListener::onExhausted);
                    throw LockRetriesExhaustedException.of(exhausted, failure);
                }
                Duration backoff = Duration.ofMillis(delay);
                // the next attempt can start the moment the blockers are gone, when the probe can tell that
                boolean forBlockers = probe != null && !tracker.transactions.isEmpty();
                notify(events.create(AttemptEvent.Type.RETRY, failedStatement, sqlState, message, blockers, backoff,
                        forBlockers, List.of()), AttemptListener::onRetry);
                Instant waitStart = clock.instant();
                sleep(unitId.get(), attempt, backoff, forBlockers ? probe.whenEnded(tracker.transactions) : null,
                        failure);
                waited = new Waited(Duration.between(waitStart, clock.instant()), forBlockers);
            }
        }
    }

    /** The wait before an attempt, as events report it. */
    private record Waited(Duration duration, boolean forBlockers) {
        static final Waited NOTHING = new Waited(Duration.ZERO, false);
    }

    /**
     * Waits {@code backoff}, or less when {@code blockersEnded} completes first. The future is cancelled
     * when the wait is over, which stops its polling.
     */
    private void sleep(String unitId, int attempt, Duration backoff, CompletableFuture<Void> blockersEnded,
                       Exception failure) throws SQLException {
        try {
            if (blockersEnded == null) {
                sleeper.sleep(backoff);
            } else {
                sleeper.sleep(backoff, blockersEnded);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            SQLException interrupted = new SQLException("LockSafe: " + unitId + " was interrupted while waiting to retry"
                    + " after attempt " + attempt, "57014", e);
            interrupted.addSuppressed(failure);
            throw interrupted;
        } finally {
            if (blockersEnded != null) {
                blockersEnded.cancel(false);
            }
        }
    }

    /** Builds the events of one attempt. */
    private final class EventFactory {
        /** Asked when an event is built: an adapter may learn the unit's name only once its work has run. */
        private final Supplier<String> unitId;
        private final int attempt;
        private final Duration lockTimeout;
        private final Instant attemptStart;
        private final Instant start;
        private final Waited waitedBefore;

        EventFactory(Supplier<String> unitId, int attempt, Duration lockTimeout, Instant attemptStart, Instant start,
                     Waited waitedBefore) {
            this.unitId = unitId;
            this.attempt = attempt;
            this.lockTimeout = lockTimeout;
            this.attemptStart = attemptStart;
            this.start = start;
            this.waitedBefore = waitedBefore;
        }

        AttemptEvent create(AttemptEvent.Type type, String statement, String sqlState, String message,
                            List<Blocker> blockers, Duration nextDelay, boolean waitsForBlockers,
                            List<AttemptEvent.HeldLock> heldLocks) {
            Instant now = clock.instant();
            return AttemptEvent.builder(type, tool, unitId.get()).attempt(attempt, settings.maxAttempts())
                    .lockTimeout(lockTimeout).statement(statement).failure(sqlState, message)
                    .attemptDuration(Duration.between(attemptStart, now)).nextWait(nextDelay, waitsForBlockers)
                    .waitedBefore(waitedBefore.duration(), waitedBefore.forBlockers()).blockers(blockers)
                    .heldLocks(heldLocks).at(Duration.between(start, now), now).build();
        }
    }

    private void notify(AttemptEvent event, BiConsumer<AttemptListener, AttemptEvent> call) {
        for (AttemptListener listener : listeners) {
            notify(listener, event, call);
        }
        for (AttemptListener listener : AttemptListeners.current()) {
            notify(listener, event, call);
        }
    }

    private void notify(AttemptListener listener, AttemptEvent event, BiConsumer<AttemptListener, AttemptEvent> call) {
        try {
            call.accept(listener, event);
        } catch (RuntimeException e) {
            log.warn("LockSafe: attempt listener {} failed ({}); the migration goes on", listener, e);
        }
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
