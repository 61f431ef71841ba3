package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.locksafe.LockSafe;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The INVALID-index cleanup acts on the migration's own leftovers only. An index another session is
 * building concurrently is INVALID until its build ends; it is never LockSafe's to drop, whether it is
 * another tenant's index of the same name in another schema or another build on the same table.
 */
@ExtendWith(PostgresExtension.class)
class OtherSessionsIndexesTest {

    private static final Duration AWAIT = Duration.ofSeconds(30);

    /** {@code schema.index:valid} for every index on the tables named {@code table}, in any schema. */
    private static Set<String> indexes(TestDatabase db, String table) {
        return Set.copyOf(db.queryColumn("select n.nspname || '.' || c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace"
                + " join pg_class t on t.oid = i.indrelid where t.relname = '" + table + "'"));
    }

    private static CompletableFuture<Void> runAsync(Connection c, String sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                Sql.exec(c, sql);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, task -> new Thread(task, "other-session").start());
    }

    /**
     * One schema per tenant, migrated in parallel: tenant t2's build of {@code idx_note} is held back by an
     * old writer, so {@code t2.idx_note} is INVALID while tenant t1 migrates the same
     * {@code CREATE INDEX CONCURRENTLY idx_note ON o (note)}. LockSafe builds t1's index at its first attempt
     * and never issues a drop for t2's; once the writer ends, t2's build completes and its index stays.
     */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void anotherTenantsIndexOfTheSameNameBeingBuiltIsNeverTouched(Migrator tool, TestDatabase db) throws Exception {
        db.execute("create schema t1", "create schema t2", "create table t1.o (id int, note text)",
                "create table t2.o (id int, note text)");
        try (BlockingSession oldWriter = BlockingSession.hold(db, "t2.o", "ROW EXCLUSIVE", "old-writer");
             Connection tenant2 = db.connect("tenant-2-migration")) {
            CompletableFuture<Void> tenant2Build = runAsync(tenant2, "CREATE INDEX CONCURRENTLY idx_note ON t2.o (note)");
            await().atMost(AWAIT).until(() -> indexes(db, "o").equals(Set.of("t2.idx_note:false"))
                    && !oldWriter.blockedSessions().isEmpty());

            String tenant1Url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=t1";
            tool.migrate(db, tenant1Url, Map.of("lockTimeout", "2s", "flyway.postgresql.transactional.lock", "false"),
                    "CREATE INDEX CONCURRENTLY idx_note ON o (note);");

            assertThat(indexes(db, "o")).as("t2's build still runs, its index untouched")
                    .containsExactlyInAnyOrder("t1.idx_note:true", "t2.idx_note:false");
            assertThat(db.queryLong("select count(*) from pg_stat_activity where query ilike 'drop index%'"))
                    .as("drops in flight").isZero();
            oldWriter.release();
            tenant2Build.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(indexes(db, "o")).containsExactlyInAnyOrder("t1.idx_note:true", "t2.idx_note:true");
    }

    /**
     * Same table, same index name: another instance of the application is building
     * {@code orders_customer_idx} (held back by an old writer), so the index is INVALID when LockSafe's
     * first attempt looks for leftovers of an earlier run. It is not a leftover: LockSafe issues no drop
     * (what its session waits for is its own build, queued behind the other build's lock). Once the other
     * build completes, LockSafe's next attempt fails with PostgreSQL's "already exists", not retried, and
     * the other instance's index is the one that stays (same oid).
     */
    @Test
    void anIndexAnotherSessionIsStillBuildingIsNotTakenForALeftover(TestDatabase db) throws Exception {
        db.execute("create table orders (id int, customer int)",
                "insert into orders select g, g % 100 from generate_series(1, 1000) g");
        String build = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)";
        Set<String> waitedIn = ConcurrentHashMap.newKeySet();
        long otherIndex;
        try (BlockingSession writer = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer");
             Connection otherInstance = db.connect("other-instance");
             Connection migrator = db.connect("migrator")) {
            CompletableFuture<Void> otherBuild = runAsync(otherInstance, build);
            await().atMost(AWAIT).until(() -> indexes(db, "orders").equals(Set.of("public.orders_customer_idx:false"))
                    && !writer.blockedSessions().isEmpty());
            otherIndex = db.queryLong("select 'orders_customer_idx'::regclass::oid::bigint");
            String migratorPid = Sql.string(migrator, "select pg_backend_pid()");
            // between the attempts the writer ends and the other build completes
            RecordingListener listener = new RecordingListener(e -> {
                try {
                    writer.release();
                    otherBuild.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception failure) {
                    throw new IllegalStateException(failure);
                }
            });
            CompletableFuture<Void> watching = CompletableFuture.runAsync(() -> await().atMost(AWAIT)
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        waitedIn.addAll(db.queryColumn("select query from pg_stat_activity where pid = " + migratorPid
                                + " and wait_event_type = 'Lock'"));
                        return !listener.events.isEmpty();
                    }));
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().lockTimeout(Duration.ofSeconds(1)).maxAttempts(2)
                    .build()).listener(listener).build()) {
                assertThatThrownBy(() -> lockSafe.executeStatement("V9__index", migrator, build))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42P07"));
            }
            watching.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(listener.types()).as("attempt 1 queued behind the other build and timed out").hasSize(1);
        }
        assertThat(waitedIn).as("what LockSafe's session waited in").containsExactly(build);
        assertThat(indexes(db, "orders")).containsExactly("public.orders_customer_idx:true");
        assertThat(db.queryLong("select 'orders_customer_idx'::regclass::oid::bigint")).as("the other instance's index")
                .isEqualTo(otherIndex);
    }
}
