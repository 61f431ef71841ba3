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
    private final List<HeldLock> heldLocks;
    private final Duration elapsed;
    private final Instant timestamp;

    private AttemptEvent(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.tool = Objects.requireNonNull(b.tool, "tool");
        this.unitId = Objects.requireNonNull(b.unitId, "unitId");
        this.attempt = b.attempt;
        this.maxAttempts = b.maxAttempts;
        this.lockTimeout = b.lockTimeout;
        this.statement = b.statement;
        this.sqlState = b.sqlState;
        this.errorMessage = b.errorMessage;
        this.attemptDuration = Objects.requireNonNull(b.attemptDuration, "attemptDuration");
        this.nextDelay = Objects.requireNonNull(b.nextDelay, "nextDelay");
        this.waitsForBlockers = b.waitsForBlockers;
        this.waitedBefore = Objects.requireNonNull(b.waitedBefore, "waitedBefore");
        this.waitedForBlockers = b.waitedForBlockers;
        this.blockers = List.copyOf(b.blockers);
        this.heldLocks = List.copyOf(b.heldLocks);
        this.elapsed = Objects.requireNonNull(b.elapsed, "elapsed");
        this.timestamp = Objects.requireNonNull(b.timestamp, "timestamp");
    }

    /**
     * Starts an event; every other field has a neutral default (attempt 1 of 1, no lock timeout, zero
     * durations, no blockers, the current time). The engine builds events this way, and so can a test
     * of a listener. A builder rather than a constructor, so that events can gain fields.
     *
     * @param tool what ran the unit: {@code flyway}, {@code liquibase}, or {@code api} for direct use
     */
    public static Builder builder(Type type, String tool, String unitId) {
        return new Builder(type, tool, unitId);
    }

    /** Builds an {@link AttemptEvent}. Not thread-safe. */
    public static final class Builder {
        private final Type type;
        private final String tool;
        private final String unitId;
        private int attempt = 1;
        private int maxAttempts = 1;
        private Duration lockTimeout;
        private String statement;
        private String sqlState;
        private String errorMessage;
        private Duration attemptDuration = Duration.ZERO;
        private Duration nextDelay = Duration.ZERO;
        private boolean waitsForBlockers;
        private Duration waitedBefore = Duration.ZERO;
        private boolean waitedForBlockers;
        private List<Blocker> blockers = List.of();
        private List<HeldLock> heldLocks = List.of();
        private Duration elapsed = Duration.ZERO;
        private Instant timestamp = Instant.now();

        private Builder(Type type, String tool, String unitId) {
            this.type = Objects.requireNonNull(type, "type");
            this.tool = Objects.requireNonNull(tool, "tool");
            this.unitId = Objects.requireNonNull(unitId, "unitId");
        }

        /** The attempt, 1-based, of {@code maxAttempts} in all. */
        public Builder attempt(int attempt, int maxAttempts) {
            this.attempt = attempt;
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The attempt's lock timeout; {@code null} when it ran without one. */
        public Builder lockTimeout(Duration lockTimeout) {
            this.lockTimeout = lockTimeout;
            return this;
        }

        /** The statement that failed, shortened; {@code null} when unknown. */
        public Builder statement(String statement) {
            this.statement = statement;
            return this;
        }

        /** The retryable SQLSTATE and the database's message; both {@code null} on success. */
        public Builder failure(String sqlState, String errorMessage) {
            this.sqlState = sqlState;
            this.errorMessage = errorMessage;
            return this;
        }

        /** How long this attempt ran. */
        public Builder attemptDuration(Duration attemptDuration) {
            this.attemptDuration = Objects.requireNonNull(attemptDuration, "attemptDuration");
            return this;
        }

        /**
         * {@link Type#RETRY}: the wait before the next attempt and whether it ends as soon as the blockers
         * end ({@code nextDelay} then being its upper bound).
         */
        public Builder nextWait(Duration nextDelay, boolean waitsForBlockers) {
            this.nextDelay = Objects.requireNonNull(nextDelay, "nextDelay");
            this.waitsForBlockers = waitsForBlockers;
            return this;
        }

        /** How long the engine really waited before this attempt, and whether that wait was for blockers. */
        public Builder waitedBefore(Duration waitedBefore, boolean waitedForBlockers) {
            this.waitedBefore = Objects.requireNonNull(waitedBefore, "waitedBefore");
            this.waitedForBlockers = waitedForBlockers;
            return this;
        }

        /** The sessions that blocked this attempt. */
        public Builder blockers(List<Blocker> blockers) {
            this.blockers = Objects.requireNonNull(blockers, "blockers");
            return this;
        }

        /** The locks that blocked writes which a successful attempt was seen holding. */
        public Builder heldLocks(List<HeldLock> heldLocks) {
            this.heldLocks = Objects.requireNonNull(heldLocks, "heldLocks");
            return this;
        }

        /** Time since the first attempt started, and when the event was created. */
        public Builder at(Duration elapsed, Instant timestamp) {
            this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        /** The event. */
        public AttemptEvent build() {
            return new AttemptEvent(this);
        }
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

    /**
     * The locks that block writes (SHARE and stronger) which this successful attempt was seen holding on
     * relations, with how long at least: from the first look that saw the lock to the end of the attempt.
     * Looked for only when the ZDD check measures lock holds (rule L209: {@code check} not {@code off}, the
     * blocker lookup on), from the blocker-lookup connection, at least every quarter of
     * {@code checkMaxExclusiveHold} (10 ms to 500 ms), the first look one interval after the attempt started:
     * a shorter hold may go unseen. Empty otherwise, and for units run with {@code runStatement}.
     */
    public List<HeldLock> heldLocks() {
        return heldLocks;
    }

    /**
     * A lock that blocks writes, held on a relation by a successful attempt.
     *
     * @param relation    the relation's OID ({@code pg_class.oid})
     * @param mode        the strongest mode seen, as {@code pg_locks.mode} names it ({@code AccessExclusiveLock})
     * @param since       when the first look that saw it ended (the lock was held by then, and is held
     *                    until the transaction ends)
     * @param heldAtLeast from {@code since} to the end of the attempt
     */
    public record HeldLock(long relation, String mode, Instant since, Duration heldAtLeast) {
        public HeldLock {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(heldAtLeast, "heldAtLeast");
        }
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
