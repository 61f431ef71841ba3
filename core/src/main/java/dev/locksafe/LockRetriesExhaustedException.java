package dev.locksafe;

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

    private LockRetriesExhaustedException(AttemptEvent exhausted, Throwable lastFailure) {
        super(message(exhausted), exhausted.sqlState().orElse(null), lastFailure);
        this.unitId = exhausted.unitId();
        this.attempts = exhausted.attempt();
        this.elapsed = exhausted.elapsed();
        this.lastBlockers = exhausted.blockers();
        this.lastStatement = exhausted.statement().orElse(null);
    }

    /**
     * The exception for a unit whose last attempt ended as {@code exhausted} (an event of type
     * {@link AttemptEvent.Type#EXHAUSTED}), with {@code lastFailure} as its cause. A factory rather than a
     * constructor, so that what the exception carries can grow with the event.
     */
    public static LockRetriesExhaustedException of(AttemptEvent exhausted, Throwable lastFailure) {
        if (exhausted.type() != AttemptEvent.Type.EXHAUSTED) {
            throw new IllegalArgumentException("expected an EXHAUSTED event but was " + exhausted.type());
        }
        return new LockRetriesExhaustedException(exhausted, lastFailure);
    }

    private static String message(AttemptEvent e) {
        int attempts = e.attempt();
        StringBuilder sb = new StringBuilder("LockSafe: ").append(Text.oneLine(e.unitId()))
                .append(" gave up after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts")
                .append(" in ").append(String.format(java.util.Locale.ROOT, "%.1fs", e.elapsed().toMillis() / 1000.0))
                .append(": ").append(Text.oneLine(e.errorMessage().orElse("?")))
                .append(" (SQLSTATE ").append(e.sqlState().orElse("?")).append(')')
                .append(e.lockTimeout().map(t -> " with lock_timeout " + SettingValues.format(t))
                        .orElse(" without lock_timeout"))
                .append('.');
        e.statement().ifPresent(statement -> sb.append(" Statement: ").append(statement).append('.'));
        sb.append(" Last blockers: ").append(e.blockers().isEmpty() ? "none seen" : e.blockers().toString())
                .append('.');
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
