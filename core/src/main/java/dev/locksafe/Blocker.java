package dev.locksafe;

import java.time.Duration;
import java.util.Objects;

/**
 * A session that held a lock the migration waited for, as {@code pg_blocking_pids()} reported it while
 * the migration's statement waited. Immutable.
 *
 * @param pid             the backend process id ({@code pg_stat_activity.pid})
 * @param applicationName the session's {@code application_name}, empty when unset
 * @param user            the session's user name
 * @param state           {@code active}, {@code idle in transaction}, ...
 * @param transactionAge  how long its transaction had been open, zero when unknown
 * @param waitEvent       what the session itself waited on ({@code ClientRead}, ...), empty when none
 * @param query           its current or last statement, shortened and with passwords masked
 */
public record Blocker(int pid, String applicationName, String user, String state, Duration transactionAge,
                      String waitEvent, String query) {

    /** Checks the components; strings may be empty but not null. */
    public Blocker {
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(transactionAge, "transactionAge");
        Objects.requireNonNull(waitEvent, "waitEvent");
        Objects.requireNonNull(query, "query");
    }

    /**
     * One line for logs: {@code pid=4711 app=report-job user=app state=idle in transaction xact_age=4.2s
     * wait=ClientRead query="SELECT ..."}.
     */
    @Override
    public String toString() {
        return "pid=" + pid
                + " app=" + (applicationName.isEmpty() ? "-" : applicationName)
                + " user=" + user
                + " state=" + state
                + " xact_age=" + String.format(java.util.Locale.ROOT, "%.1fs", transactionAge.toMillis() / 1000.0)
                + " wait=" + (waitEvent.isEmpty() ? "-" : waitEvent)
                + " query=\"" + query + '"';
    }
}
