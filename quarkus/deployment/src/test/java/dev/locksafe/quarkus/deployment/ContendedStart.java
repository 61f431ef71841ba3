package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.testing.BlockingSession;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.QuarkusUnitTest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Quarkus application whose migration at start meets a real blocker: before it starts, table
 * {@code accounts} is created and a session ({@code application_name} quarkus-report) holds ACCESS SHARE
 * on it in an open transaction, released once the migration's lock request has queued behind it and then
 * given up (its lock_timeout fired; seen in pg_locks, however long the application took to build). After
 * the application stops, its log must show exactly one failed attempt naming the statement and the
 * blocker, then success on the second.
 */
final class ContendedStart {

    private CompletableFuture<Void> blockerReleased;

    private ContendedStart() {
    }

    /** {@code app} with the blocker, {@code quarkus.locksafe.lock-timeout=200ms}, and the log checked for {@code statement}. */
    static QuarkusUnitTest of(AppDatabase database, QuarkusUnitTest app, String statement) {
        ContendedStart start = new ContendedStart();
        return app
                .overrideConfigKey("quarkus.locksafe.lock-timeout", "200ms")
                .overrideConfigKey("quarkus.locksafe.initial-backoff", "5s")
                .setBeforeAllCustomizer(() -> start.block(database))
                .setLogRecordPredicate(r -> r.getMessage() != null && r.getMessage().contains("LockSafe"))
                .assertLogRecords(records -> start.check(AppDatabase.lines(records), statement));
    }

    /**
     * The application's meters counted that one retry (with a wait that ended with the blocker) and the
     * success, although both happened before quarkus-micrometer attached its registries.
     */
    static void assertCounted(MeterRegistry meters) {
        assertThat(meters.get("locksafe.attempts").tag("outcome", "retry").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("locksafe.attempts").tag("outcome", "success").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("locksafe.backoff").tag("wait", "blockers").timer().count()).isEqualTo(1);
    }

    private void block(AppDatabase database) {
        database.db.execute("CREATE TABLE accounts (id int PRIMARY KEY)");
        try {
            BlockingSession blocker = BlockingSession.hold(database.db, "accounts", "ACCESS SHARE", "quarkus-report");
            blockerReleased = blocker.releaseOnceAWaiterGaveUp(Duration.ofMinutes(3));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(List<String> lines, String statement) {
        assertThat(blockerReleased).isCompleted();
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("attempt 1/10 failed")
                .contains("with lock_timeout 200ms")
                .contains("Statement: " + statement + ".")
                .contains("app=quarkus-report"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("succeeded on attempt 2/10"));
        // one log record per event (Quarkus printed each Liquibase one twice before)
        assertThat(lines.stream().filter(l -> l.contains("attempt 1/10 failed")).count()).isEqualTo(1);
    }
}
