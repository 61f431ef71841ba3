package dev.locksafe.it;

import static dev.locksafe.AttemptEvent.Type.EXHAUSTED;
import static dev.locksafe.AttemptEvent.Type.RETRY;
import static dev.locksafe.AttemptEvent.Type.SUCCESS_AFTER_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.AttemptEvent;
import dev.locksafe.Blocker;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockRelease;
import dev.locksafe.LockRetriesExhaustedException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.DbWaits;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class TransactionalLockRetryTest {

    private static final Duration LOCK_TIMEOUT = Policies.LOCK_TIMEOUT;


    @Test
    void withoutContentionTheUnitRunsOnceWithLockTimeoutAndNothingLeaks(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        RecordingListener listener = new RecordingListener();
        try (LockSafe lockSafe = LockSafe.builder(Policies.fast().lockTimeout(Duration.ofMillis(123))
                .statementTimeout(Duration.ofSeconds(9)).build()).listener(listener).build();
             Connection c = db.connect()) {
            Sql.exec(c, "set lock_timeout = '7s'");
            c.setAutoCommit(false);
            AtomicInteger runs = new AtomicInteger();

            String seen = lockSafe.runInTransaction("V1", c, LockRelease.savepoint(), () -> {
                runs.incrementAndGet();
                Sql.exec(c, "alter table orders add column note text");
                return Sql.string(c, "select current_setting('lock_timeout') || '/' || current_setting('statement_timeout')");
            });

            assertThat(seen).isEqualTo("123ms/9s");
            assertThat(runs).hasValue(1);
            assertThat(Sql.string(c, "show lock_timeout")).as("inside the transaction after the unit").isEqualTo("7s");
            c.commit();
            assertThat(Sql.string(c, "show lock_timeout")).as("after commit").isEqualTo("7s");
            assertThat(Sql.string(c, "show statement_timeout")).as("after commit").isEqualTo("0");

            lockSafe.runInTransaction("V2", c, LockRelease.savepoint(),
                    () -> Sql.string(c, "select current_setting('lock_timeout')"));
            c.rollback();
            assertThat(Sql.string(c, "show lock_timeout")).as("after rollback").isEqualTo("7s");
        }
        assertThat(listener.events).isEmpty();
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void blockedUnitSucceedsOnALaterAttemptAndReportsTheBlocker(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            RecordingListener listener = new RecordingListener(e -> {
                if (e.attempt() == 2) {
                    release(blocker);
                }
            });
            AtomicInteger runs = new AtomicInteger();
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener)
                    .probeConnections(ConnectionSource.of(db.dataSource("locksafe-probe"))).build();
                 Connection c = db.connect("migrator")) {
                c.setAutoCommit(false);
                lockSafe.runInTransaction("V2__add_note", c, LockRelease.savepoint(), () -> {
                    runs.incrementAndGet();
                    Sql.exec(c, "alter table orders add column note text");
                    return null;
                });
                c.commit();
            }

            assertThat(runs).hasValue(3);
            assertThat(listener.types()).containsExactly(RETRY, RETRY, SUCCESS_AFTER_RETRY);
            AttemptEvent first = listener.events.get(0);
            assertThat(first.unitId()).isEqualTo("V2__add_note");
            assertThat(first.sqlState()).contains("55P03");
            assertThat(first.lockTimeout()).contains(LOCK_TIMEOUT);
            assertThat(first.nextDelay()).isEqualTo(Duration.ofMillis(50));
            assertThat(listener.events.get(1).nextDelay()).isEqualTo(Duration.ofMillis(100));
            assertThat(first.statement()).hasValueSatisfying(s -> assertThat(s).contains("alter table orders"));
            assertThat(first.blockers()).extracting(Blocker::pid, Blocker::applicationName)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(blocker.pid(), "report-job"));
            assertThat(first.blockers().get(0).state()).isEqualTo("idle in transaction");
            assertThat(db.hasColumn("orders", "note")).isTrue();
        }
    }

    @Test
    void betweenAttemptsTheUnitHoldsNoLocksAndOtherSessionsAreNotHeldUp(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)", "insert into orders values (1)",
                "create table audit (id int)", "insert into audit values (1)");
        List<String> auditReads = new CopyOnWriteArrayList<>();
        long worstOrdersLatency;
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             Connection app = db.connect("app")) {
            RecordingListener listener = new RecordingListener(e -> {
                if (e.attempt() == 3) {
                    release(blocker);
                }
            });
            // while the engine backs off, a third session reads the table the unit altered first; its
            // lock_timeout makes any wait for a lock on audit fail the read instead of hanging the test
            Sql.exec(app, "set lock_timeout = '50ms'");
            LockSafe.Sleeper probingSleeper = d -> {
                try {
                    auditReads.add("read " + Sql.string(app, "select count(*) from audit") + " row");
                } catch (SQLException e) {
                    auditReads.add("SQLSTATE " + e.getSQLState() + ": " + e.getMessage());
                }
                Thread.sleep(d.toMillis()); // the backoff itself, as the default sleeper would
            };
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).sleeper(probingSleeper)
                    .build();
                 Connection c = db.connect("migrator");
                 AppLoad appLoad = AppLoad.start(db, "select count(*) from orders")) {
                c.setAutoCommit(false);
                lockSafe.runInTransaction("V3", c, LockRelease.savepoint(), () -> {
                    Sql.exec(c, "alter table audit add column who text"); // granted at once
                    Sql.exec(c, "alter table orders add column note text"); // waits for the blocker
                    return null;
                });
                c.commit();
                worstOrdersLatency = appLoad.worstMillis();
            }
            assertThat(listener.types()).containsExactly(RETRY, RETRY, RETRY, SUCCESS_AFTER_RETRY);
        }
        assertThat(auditReads).containsExactly("read 1 row", "read 1 row", "read 1 row");
        assertThat(worstOrdersLatency).isLessThan(LOCK_TIMEOUT.toMillis() + 250);
        assertThat(db.hasColumn("audit", "who")).isTrue();
        assertThat(db.queryLong("select count(*) from information_schema.columns where table_name = 'audit'"))
                .isEqualTo(2);
    }

    @Test
    void blockerThatOutlivesEveryAttemptExhaustsAndLeavesTheTableAsBefore(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        RecordingListener listener = new RecordingListener();
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "long-report");
             LockSafe lockSafe = LockSafe.builder(Policies.fast().maxAttempts(3).build()).listener(listener)
                     .probeConnections(ConnectionSource.of(db.dataSource("locksafe-probe"))).build();
             Connection c = db.connect("migrator")) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> lockSafe.runInTransaction("V4__add_note", c, LockRelease.savepoint(), () -> {
                Sql.exec(c, "create table notes (id int)");
                Sql.exec(c, "alter table orders add column note text");
                return null;
            }))
                    .isInstanceOf(LockRetriesExhaustedException.class)
                    .hasMessageContaining("V4__add_note gave up after 3 attempts")
                    .hasMessageContaining("SQLSTATE 55P03")
                    .hasMessageContaining("app=long-report")
                    .hasMessageContaining("pid=" + blocker.pid())
                    .satisfies(e -> {
                        LockRetriesExhaustedException x = (LockRetriesExhaustedException) e;
                        assertThat(x.attempts()).isEqualTo(3);
                        assertThat(x.getSQLState()).isEqualTo("55P03");
                        assertThat(x.lastBlockers()).extracting(Blocker::pid).containsExactly(blocker.pid());
                        assertThat(x.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(3 * 200 + 50 + 100));
                    });
            c.rollback();
        }
        assertThat(listener.types()).containsExactly(RETRY, RETRY, EXHAUSTED);
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'notes'")).isZero();
    }

    @Test
    void rollbackTransactionReleaseAlsoRetriesFromAFreshTransaction(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            RecordingListener listener = new RecordingListener(e -> release(blocker));
            AtomicInteger runs = new AtomicInteger();
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
                 Connection c = db.connect("migrator")) {
                c.setAutoCommit(false);
                lockSafe.runInTransaction("V5", c, LockRelease.rollbackTransaction(), () -> {
                    runs.incrementAndGet();
                    Sql.exec(c, "create table notes (id int)");
                    Sql.exec(c, "alter table orders add column note text");
                    return null;
                });
                c.commit();
            }
            assertThat(runs).hasValue(2);
            assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
        }
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'notes'")).isEqualTo(1);
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void escalatesTheLockTimeoutPerAttemptUpToTheCap(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        List<String> applied = new CopyOnWriteArrayList<>();
        RecordingListener listener = new RecordingListener();
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             LockSafe lockSafe = LockSafe.builder(Policies.fast().lockTimeout(Duration.ofMillis(100))
                     .lockTimeoutMultiplier(2.0).maxLockTimeout(Duration.ofMillis(300)).maxAttempts(4).build())
                     .listener(listener).build();
             Connection c = db.connect("migrator")) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> lockSafe.runInTransaction("V6", c, LockRelease.savepoint(), () -> {
                applied.add(Sql.string(c, "show lock_timeout"));
                Sql.exec(c, "alter table orders add column note text");
                return null;
            })).isInstanceOf(LockRetriesExhaustedException.class);
            c.rollback();
        }
        assertThat(applied).containsExactly("100ms", "200ms", "300ms", "300ms");
        assertThat(listener.events).extracting(e -> e.lockTimeout().orElseThrow().toMillis())
                .containsExactly(100L, 200L, 300L, 300L);
    }

    @Test
    void finalAttemptWaitsWithoutLockTimeoutWhenConfigured(TestDatabase db) throws Exception {
        db.execute("create table orders (id int)");
        List<String> applied = new CopyOnWriteArrayList<>();
        RecordingListener listener = new RecordingListener();
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             LockSafe lockSafe = LockSafe.builder(Policies.fast().maxAttempts(3).finalAttemptWithoutLockTimeout(true)
                     .build()).listener(listener).build();
             Connection c = db.connect("migrator")) {
            c.setAutoCommit(false);
            // the third attempt waits with no timeout: let it wait, then end the blocker
            CompletableFuture<Void> released = blocker.releaseWhen(() -> listener.events.size() == 2
                    && DbWaits.isBlockedBy(db, "migrator", blocker.pid()));
            lockSafe.runInTransaction("V7", c, LockRelease.savepoint(), () -> {
                applied.add(Sql.string(c, "show lock_timeout"));
                Sql.exec(c, "alter table orders add column note text");
                return null;
            });
            c.commit();
            released.join();
        }
        assertThat(applied).containsExactly("200ms", "200ms", "0");
        assertThat(listener.types()).containsExactly(RETRY, RETRY, SUCCESS_AFTER_RETRY);
        assertThat(listener.events.get(2).lockTimeout()).isEmpty();
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    static void release(BlockingSession blocker) {
        try {
            blocker.release();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
