package dev.locksafe.it;

import static dev.locksafe.AttemptEvent.Type.EXHAUSTED;
import static dev.locksafe.AttemptEvent.Type.RETRY;
import static dev.locksafe.AttemptEvent.Type.SUCCESS_AFTER_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.LockRetriesExhaustedException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class StatementLockRetryTest {


    @Test
    void statementRunsWithTheTimeoutAndTheSessionValueIsRestoredAfterSuccessAndFailure(TestDatabase db)
            throws Exception {
        try (LockSafe lockSafe = LockSafe.of(Policies.fast().lockTimeout(Duration.ofMillis(321)).build());
             Connection c = db.connect()) {
            Sql.exec(c, "set lock_timeout = '4s'");
            String seen = lockSafe.runStatement("S1", c, "show lock_timeout", () -> Sql.string(c, "show lock_timeout"));
            assertThat(seen).isEqualTo("321ms");
            assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("4s");

            assertThatThrownBy(() -> lockSafe.executeStatement("S2", c, "select * from no_such_table"))
                    .hasMessageContaining("no_such_table");
            assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("4s");
        }
    }

    @Test
    void concurrentIndexBuildBlockedByAnOpenTransactionDropsTheInvalidIndexAndRetries(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id int, customer int)",
                "insert into orders select g, g % 100 from generate_series(1, 1000) g");
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            RecordingListener listener = new RecordingListener(e -> {
                if (e.attempt() == 2) {
                    TransactionalLockRetryTest.release(blocker);
                }
            });
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
                 Connection c = db.connect("migrator")) {
                lockSafe.executeStatement("V8__index", c,
                        "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)");
            }
            assertThat(listener.types()).containsExactly(RETRY, RETRY, SUCCESS_AFTER_RETRY);
            assertThat(listener.events.get(0).statement())
                    .contains("CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)");
        }
        assertThat(db.queryColumn("select c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid where i.indrelid = 'orders'::regclass"))
                .containsExactly("orders_customer_idx:true");
    }

    @Test
    void concurrentIndexBuildWaitingForAnOldSnapshotIsRetriedAfterItEnds(TestDatabase db) throws Exception {
        db.execute("create table orders (id int, customer int)", "create table other (id int)");
        try (BlockingSession report = BlockingSession.openTransaction(db, "old-snapshot")) {
            RecordingListener listener = new RecordingListener(e -> TransactionalLockRetryTest.release(report));
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
                 Connection c = db.connect("migrator")) {
                lockSafe.executeStatement("V8b", c, "CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id)");
            }
            assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
        }
        assertThat(indexes(db)).containsExactly("orders_id_idx:true");
    }

    @Test
    void concurrentIndexBuildWithIfNotExistsNeverKeepsAnInvalidIndex(TestDatabase db) throws Exception {
        db.execute("create table orders (id int, customer int)");
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            RecordingListener listener = new RecordingListener(e -> TransactionalLockRetryTest.release(blocker));
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
                 Connection c = db.connect("migrator")) {
                lockSafe.executeStatement("V9", c, "create index concurrently if not exists ix on orders (customer)");
            }
            assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
        }
        assertThat(db.queryColumn("select c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid where i.indrelid = 'orders'::regclass"))
                .containsExactly("ix:true");
    }

    @Test
    void exhaustedConcurrentIndexBuildIsRepairedByTheNextRunEvenWithIfNotExists(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id int, customer int)");
        RecordingListener listener = new RecordingListener();
        try (LogCapture logs = LogCapture.of("dev.locksafe");
             BlockingSession blocker = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer");
             LockSafe lockSafe = LockSafe.builder(Policies.fast().maxAttempts(2).build()).listener(listener).build();
             Connection c = db.connect("migrator")) {
            assertThatThrownBy(() -> lockSafe.executeStatement("V10", c,
                    "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)"))
                    .isInstanceOf(LockRetriesExhaustedException.class)
                    .hasMessageContaining("V10 gave up after 2 attempts");
            assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("0");
            assertThat(listener.types()).containsExactly(RETRY, EXHAUSTED);
            // the blocker outlived the cleanup's wait (maxBackoff, 200ms here): the broken index is still there,
            // and the warning says how to remove it
            assertThat(indexes(db)).containsExactly("orders_customer_idx:false");
            assertThat(logs.messagesContaining("within"))
                    .singleElement().asString()
                    .contains("within 0.200s", "DROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_idx;");

            blocker.release();
            lockSafe.executeStatement("V10", c,
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer)");
        }
        assertThat(indexes(db)).containsExactly("orders_customer_idx:true");
    }

    @Test
    void exhaustedConcurrentIndexBuildLeavesNoInvalidIndexWhenTheBlockerEndsWithinMaxBackoff(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id int, customer int)");
        try (BlockingSession blocker = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer");
             LockSafe lockSafe = LockSafe.of(Policies.fast().maxAttempts(1).maxBackoff(Duration.ofSeconds(20)).build());
             Connection c = db.connect("migrator")) {
            // one attempt, so the first cleanup is the last; the blocker ends only once its drop waits for it
            var released = blocker.releaseWhen(() -> db.queryLong("select count(*) from pg_stat_activity"
                    + " where application_name = 'migrator' and wait_event_type = 'Lock'"
                    + " and query ilike 'DROP INDEX CONCURRENTLY%'") > 0);
            assertThatThrownBy(() -> lockSafe.executeStatement("V11", c,
                    "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)"))
                    .isInstanceOf(LockRetriesExhaustedException.class)
                    .hasMessageContaining("V11 gave up after 1 attempt");
            released.join();
            assertThat(indexes(db)).isEmpty();
            assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("0");
        }
    }

    private static java.util.List<String> indexes(TestDatabase db) {
        return db.queryColumn("select c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid where i.indrelid = 'orders'::regclass");
    }
}
