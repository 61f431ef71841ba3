package dev.locksafe;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened on one attempt of a unit of migration work. Immutable.
 *
 * <p>Built only when the engine has a listener to give it to.
 */
public final class AttemptEvent {

    /** The kind of event. */
    public enum Type {
        /** The unit succeeded on its first attempt. */
        SUCCESS,
        /** The attempt hit a retryable error; the engine released the unit's locks and will retry. */
        RETRY,
        /** The unit succeeded on an attempt after the first. */
        SUCCESS_AFTER_RETRY,
        /** The last attempt hit a retryable error; the unit fails. */
        EXHAUSTED
    }

    private final Type type;
    private final String tool;
    private final String unitId;
    private final int attempt;
    private final int maxAttempts;
    private final Duration lockTimeout;
    private final String statement;
    private final String sqlState;
    private final String errorMessage;
    private final Duration attemptDuration;
    private final Duration nextDelay;
    private final boolean waitsForBlockers;
    private final Duration waitedBefore;
    private final boolean waitedForBlockers;
    private final List<Blocker> blockers;
    private final Duration elapsed;
    private final Instant timestamp;

    /**
     * @param tool         what ran the unit: {@code flyway}, {@code liquibase}, or {@code api} for direct use
     * @param lockTimeout  the attempt's lock timeout, {@code null} when it ran without one
     * @param statement    the statement that failed, shortened, or {@code null} when unknown
     * @param sqlState     the retryable SQLSTATE found in the cause chain, {@code null} on success
     * @param errorMessage the database's message for that error, {@code null} on success
     * @param attemptDuration how long this attempt ran (for a failed one: mostly waiting for a lock)
     * @param nextDelay    the wait before the next attempt (its upper bound when {@code waitsForBlockers});
     *                     zero unless {@link Type#RETRY}
     * @param waitsForBlockers {@link Type#RETRY} only: the next attempt starts as soon as every blocking
     *                     transaction seen has ended, {@code nextDelay} at the latest
     * @param waitedBefore how long the engine waited before this attempt; zero for the first
     * @param waitedForBlockers that wait was one that ends when the blockers end
     */
    public AttemptEvent(Type type, String tool, String unitId, int attempt, int maxAttempts, Duration lockTimeout,
                        String statement, String sqlState, String errorMessage, Duration attemptDuration,
                        Duration nextDelay, boolean waitsForBlockers, Duration waitedBefore, boolean waitedForBlockers,
                        List<Blocker> blockers, Duration elapsed, Instant timestamp) {
        this.type = Objects.requireNonNull(type, "type");
        this.tool = Objects.requireNonNull(tool, "tool");
        this.attemptDuration = Objects.requireNonNull(attemptDuration, "attemptDuration");
        this.unitId = Objects.requireNonNull(unitId, "unitId");
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.lockTimeout = lockTimeout;
        this.statement = statement;
        this.sqlState = sqlState;
        this.errorMessage = errorMessage;
        this.nextDelay = Objects.requireNonNull(nextDelay, "nextDelay");
        this.waitsForBlockers = waitsForBlockers;
        this.waitedBefore = Objects.requireNonNull(waitedBefore, "waitedBefore");
        this.waitedForBlockers = waitedForBlockers;
        this.blockers = List.copyOf(blockers);
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
        this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
    }

    /** The kind of event. */
    public Type type() {
        return type;
    }

    /** What ran the unit: {@code flyway}, {@code liquibase}, or {@code api} for direct use of {@link LockSafe}. */
    public String tool() {
        return tool;
    }

    /** How long this attempt ran; for a failed attempt, mostly the wait for a lock. */
    public Duration attemptDuration() {
        return attemptDuration;
    }

    /** The unit's id: a Flyway migration's script name, a Liquibase changeset's path::id::author, ... */
    public String unitId() {
        return unitId;
    }

    /** The attempt this event is about, 1-based. */
    public int attempt() {
        return attempt;
    }

    /** Attempts allowed in all. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The lock timeout the attempt ran with; empty when it ran without one. */
    public Optional<Duration> lockTimeout() {
        return Optional.ofNullable(lockTimeout);
    }

    /** The statement that timed out, shortened; empty when the engine could not see it. */
    public Optional<String> statement() {
        return Optional.ofNullable(statement);
    }

    /** The retryable SQLSTATE of the failure; empty for {@link Type#SUCCESS_AFTER_RETRY}. */
    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }

    /** The database's error message; empty for {@link Type#SUCCESS_AFTER_RETRY}. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    /**
     * The wait before the next attempt; zero unless {@link Type#RETRY}. When {@link #waitsForBlockers()},
     * its upper bound: the next attempt starts as soon as the blockers have ended.
     */
    public Duration nextDelay() {
        return nextDelay;
    }

    /**
     * {@link Type#RETRY} only: whether the wait before the next attempt ends as soon as every blocking
     * transaction seen in this attempt has ended (the engine watches them from its lookup connection), or
     * is a blind backoff (no lookup connection, {@code logBlockers=false}, no blocker seen, or a blocker
     * whose session this user may not see).
     */
    public boolean waitsForBlockers() {
        return waitsForBlockers;
    }

    /** How long the engine really waited before this attempt; zero for the first attempt. */
    public Duration waitedBefore() {
        return waitedBefore;
    }

    /** Whether the wait before this attempt was one that ends when the blockers end ({@link #waitsForBlockers()}). */
    public boolean waitedForBlockers() {
        return waitedForBlockers;
    }

    /** The sessions that blocked this attempt; empty when none were seen or lookup is off. */
    public List<Blocker> blockers() {
        return blockers;
    }

    /** Time since the first attempt started. */
    public Duration elapsed() {
        return elapsed;
    }

    /** When the event was created, from the engine's clock. */
    public Instant timestamp() {
        return timestamp;
    }

    @Override
    public String toString() {
        return "AttemptEvent{" + type + ' ' + tool + ' ' + unitId + " attempt " + attempt + '/' + maxAttempts
                + ", sqlState=" + sqlState + ", nextDelay=" + nextDelay + (waitsForBlockers ? " or until blockers end" : "")
                + ", blockers=" + blockers + '}';
    }
}
