package dev.locksafe.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/** Waits on what the database shows, never on a fixed sleep. */
public final class DbWaits {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private DbWaits() {
    }

    /** Until a session with {@code applicationName} waits for a lock. */
    public static void untilWaitingForLock(TestDatabase db, String applicationName) {
        await("a session '" + applicationName + "' waiting for a lock").atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                .until(() -> db.queryLong("select count(*) from pg_stat_activity where application_name = '"
                        + applicationName + "' and wait_event_type = 'Lock'") > 0);
    }

    /** Until the session {@code pid} is blocked by {@code blockerPid}. */
    public static void untilBlockedBy(TestDatabase db, String applicationName, int blockerPid) {
        await("'" + applicationName + "' blocked by pid " + blockerPid).atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                .until(() -> db.queryLong("select count(*) from pg_stat_activity where application_name = '"
                        + applicationName + "' and " + blockerPid + " = any(pg_blocking_pids(pid))") > 0);
    }

    /** Until no session of {@code applicationName} waits for a lock any more. */
    public static void untilNotWaiting(TestDatabase db, String applicationName) {
        await("no session '" + applicationName + "' waiting").atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                .until(() -> db.queryLong("select count(*) from pg_stat_activity where application_name = '"
                        + applicationName + "' and wait_event_type = 'Lock'") == 0);
    }
}
