package dev.locksafe.it;

import static dev.locksafe.AttemptEvent.Type.RETRY;
import static dev.locksafe.AttemptEvent.Type.SUCCESS_AFTER_RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListeners;
import dev.locksafe.Blocker;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockRelease;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocker-aware waits: after a failed attempt whose blockers are known, the next attempt starts as soon
 * as every blocking transaction has ended, the backoff being only the upper bound of the wait. Each test
 * uses a backoff far longer than what it asserts, so a blind wait cannot pass it.
 */
@ExtendWith(PostgresExtension.class)
class BlockerAwareWaitTest {

    private static final String ADD_NOTE = "ALTER TABLE orders ADD COLUMN note text;";
    private static final Duration LONG_BACKOFF = Duration.ofSeconds(30);
    /** A wait that ended well before {@link #LONG_BACKOFF}: it was cut short, not slept out. */
    private static final Duration CUT_SHORT = Duration.ofSeconds(10);

    private static LockSafeSettings.Builder longBackoff() {
        return Policies.fast().initialBackoff(LONG_BACKOFF).maxBackoff(LONG_BACKOFF).maxAttempts(5);
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void theNextAttemptStartsWhenTheBlockerEndsNotWhenTheBackoffEnds(Migrator tool, TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        RecordingListener listener = new RecordingListener();
        try (Registration registration = AttemptListeners.register(listener);
             LogCapture flywayLog = LogCapture.of("dev.locksafe");
             JulCapture liquibaseLog = JulCapture.start();
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> released = report.releaseOnceAWaiterGaveUp();
            long start = System.nanoTime();
            tool.migrate(db, Map.of("lockTimeout", "200ms", "initialBackoff", "30s", "maxBackoff", "30s", "jitter", "0",
                    "maxAttempts", "5"), ADD_NOTE);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            released.get(30, TimeUnit.SECONDS);

            assertThat(took).isLessThan(LONG_BACKOFF);
            assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
            AttemptEvent retry = listener.events.get(0);
            assertThat(retry.waitsForBlockers()).isTrue();
            assertThat(retry.nextDelay()).isEqualTo(LONG_BACKOFF);
            AttemptEvent success = listener.events.get(1);
            assertThat(success.waitedForBlockers()).isTrue();
            assertThat(success.waitedBefore()).isLessThan(CUT_SHORT);
            List<String> lines = tool == Migrator.FLYWAY ? flywayLog.messagesContaining("attempt 1/5 failed")
                    : liquibaseLog.messagesContaining("attempt 1/5 failed");
            assertThat(lines).singleElement().asString()
                    .contains("locks released, retrying when the blocking transaction ends, within 30.000s.")
                    .contains("app=report-job");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(tool.recorded(db, 1)).isOne();
    }

    /**
     * The blocking session commits and at once takes the lock again in a new transaction: same pid, another
     * transaction. The first blocker has ended, so the wait ends; a wait keyed on the pid alone would sleep
     * the whole backoff.
     */
    @Test
    void aBlockerThatStartsANewTransactionInTheSameSessionHasEnded(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        try (Connection report = db.connect("report-job")) {
            report.setAutoCommit(false);
            Sql.exec(report, "lock table orders in access share mode");
            RecordingListener listener = new RecordingListener(e -> {
                try {
                    report.commit(); // runs on the migrating thread, before its wait: no race with attempt 2
                    if (e.attempt() == 1) {
                        Sql.exec(report, "lock table orders in access share mode");
                    }
                } catch (SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            migrate(db, longBackoff().build(), listener, true);

            assertThat(listener.types()).containsExactly(RETRY, RETRY, SUCCESS_AFTER_RETRY);
            int pid = listener.events.get(0).blockers().get(0).pid();
            assertThat(listener.events.get(1).blockers()).extracting(Blocker::pid).containsExactly(pid);
            assertThat(listener.events.get(1).waitedBefore()).as("the wait after the first transaction ended")
                    .isLessThan(CUT_SHORT);
            assertThat(listener.events.get(2).waitedBefore()).isLessThan(CUT_SHORT);
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void theBackoffBoundsTheWaitWhileTheBlockerLives(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        Duration backoff = Duration.ofMillis(300);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            RecordingListener listener = new RecordingListener(e -> {
                if (e.attempt() == 3) {
                    release(report);
                }
            });
            migrate(db, Policies.fast().initialBackoff(backoff).maxBackoff(backoff).build(), listener, true);

            assertThat(listener.types()).containsExactly(RETRY, RETRY, RETRY, SUCCESS_AFTER_RETRY);
            assertThat(listener.events.subList(0, 3)).allSatisfy(e -> assertThat(e.waitsForBlockers()).isTrue());
            // the blocker lived through the waits before attempts 2 and 3: each lasted the whole backoff
            assertThat(listener.events.subList(1, 3)).allSatisfy(e ->
                    assertThat(e.waitedBefore()).isGreaterThanOrEqualTo(backoff).isLessThan(CUT_SHORT));
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    /** Blind waits, as before blocker-aware waits: no lookup connection, or {@code logBlockers=false}. */
    @ParameterizedTest(name = "lookup connection given: {0}")
    @ValueSource(booleans = {false, true})
    void withoutBlockerLookupTheWaitIsTheWholeBackoff(boolean connectionGiven, TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        Duration backoff = Duration.ofSeconds(1);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            RecordingListener listener = new RecordingListener(e -> release(report));
            migrate(db, Policies.fast().initialBackoff(backoff).maxBackoff(backoff).logBlockers(!connectionGiven).build(),
                    listener, connectionGiven);

            assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
            assertThat(listener.events.get(0).waitsForBlockers()).isFalse();
            assertThat(listener.events.get(1).waitedForBlockers()).isFalse();
            assertThat(listener.events.get(1).waitedBefore()).isGreaterThanOrEqualTo(backoff);
        }
    }

    private static void migrate(TestDatabase db, LockSafeSettings settings, RecordingListener listener,
                                boolean withLookupConnection) throws Exception {
        LockSafe.Builder builder = LockSafe.builder(settings).listener(listener);
        if (withLookupConnection) {
            builder.probeConnections(ConnectionSource.of(db.dataSource("locksafe-probe")));
        }
        try (LockSafe lockSafe = builder.build(); Connection c = db.connect("migrator")) {
            c.setAutoCommit(false);
            lockSafe.runInTransaction("V2__add_note", c, LockRelease.savepoint(), () -> {
                Sql.exec(c, "alter table orders add column note text");
                return null;
            });
            c.commit();
        }
    }

    private static void release(BlockingSession session) {
        try {
            session.release();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
