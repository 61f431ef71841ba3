package dev.locksafe.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

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

    /** The pids of the sessions {@code blockerPid} holds up right now. */
    public static List<String> sessionsBlockedBy(TestDatabase db, int blockerPid) {
        return db.queryColumn("select pid from pg_stat_activity where " + blockerPid + " = any(pg_blocking_pids(pid))");
    }

    /** Whether a session with {@code applicationName} is blocked by {@code blockerPid} right now. */
    public static boolean isBlockedBy(TestDatabase db, String applicationName, int blockerPid) {
        return db.queryLong("select count(*) from pg_stat_activity where application_name = '"
                + applicationName + "' and " + blockerPid + " = any(pg_blocking_pids(pid))") > 0;
    }
}
