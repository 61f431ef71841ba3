package dev.locksafe;

import dev.locksafe.internal.SqlStates;
import dev.locksafe.internal.Text;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A unit of migration work failed on every attempt with a retryable error (by default a lock timeout).
 * The message names the unit, the attempts, the elapsed time and the last blockers, for example:
 *
 * <pre>
 * LockSafe: V2__add_note gave up after 10 attempts in 41.2s: canceling statement due to lock timeout (SQLSTATE 55P03)
 * with lock_timeout 200ms. Last blockers: [pid=4711 app=report-job user=app state=idle in transaction ...]
 * </pre>
 *
 * <p>It is an {@link SQLException} carrying the last failure's SQLSTATE, with the last failure as its
 * cause, so JDBC-based callers handle it like the error it summarises. LockSafe never retries it again.
 */
public final class LockRetriesExhaustedException extends SQLException {

    private static final long serialVersionUID = 1L;

    private final String unitId;
    private final int attempts;
    private final Duration elapsed;
    private final transient List<Blocker> lastBlockers;
    private final String lastStatement;

    /**
     * @param lastStatement the statement that timed out last, or {@code null} when unknown
     * @param lastLockTimeout the lock timeout of the last attempt, or {@code null} when it had none
     */
    public LockRetriesExhaustedException(String unitId, int attempts, Duration elapsed, List<Blocker> lastBlockers,
                                         String lastStatement, Duration lastLockTimeout, String sqlState,
                                         Throwable lastFailure) {
        super(message(unitId, attempts, elapsed, lastBlockers, lastStatement, lastLockTimeout, sqlState, lastFailure),
                sqlState, lastFailure);
        this.unitId = unitId;
        this.attempts = attempts;
        this.elapsed = elapsed;
        this.lastBlockers = List.copyOf(lastBlockers);
        this.lastStatement = lastStatement;
    }

    private static String message(String unitId, int attempts, Duration elapsed, List<Blocker> blockers,
                                  String statement, Duration lockTimeout, String sqlState, Throwable failure) {
        StringBuilder sb = new StringBuilder("LockSafe: ").append(Text.oneLine(unitId))
                .append(" gave up after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts")
                .append(" in ").append(String.format(java.util.Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0))
                .append(": ").append(Text.oneLine(SqlStates.messageOf(failure, sqlState))).append(" (SQLSTATE ").append(sqlState).append(')')
                .append(lockTimeout == null ? " without lock_timeout" : " with lock_timeout " + SettingValues.format(lockTimeout))
                .append('.');
        if (statement != null) {
            sb.append(" Statement: ").append(statement).append('.');
        }
        sb.append(" Last blockers: ").append(blockers.isEmpty() ? "none seen" : blockers.toString()).append('.');
        sb.append(" End or wait out the blocking sessions and run the migration again,"
                + " or raise maxAttempts / lockTimeout.");
        return sb.toString();
    }


    /** The unit that gave up. */
    public String unitId() {
        return unitId;
    }

    /** Attempts made, the first included. */
    public int attempts() {
        return attempts;
    }

    /** Time from the first attempt's start to giving up. */
    public Duration elapsed() {
        return elapsed;
    }

    /** The sessions that blocked the last attempt; empty when none were seen or lookup was off. */
    public List<Blocker> lastBlockers() {
        return lastBlockers == null ? List.of() : lastBlockers;
    }

    /** The statement that timed out last, shortened, if the engine saw it. */
    public Optional<String> lastStatement() {
        return Optional.ofNullable(lastStatement);
    }
}
