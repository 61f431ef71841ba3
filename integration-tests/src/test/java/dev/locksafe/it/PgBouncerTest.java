package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.locksafe.LockSafe;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PgBouncer;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * LockSafe behind a real PgBouncer: in transaction-pooling mode every migration transaction may get a
 * different server session, and server sessions pass from client to client between transactions.
 */
@ExtendWith(PostgresExtension.class)
class PgBouncerTest {

    @BeforeAll
    static void pgbouncerInstalled() {
        Assumptions.assumeTrue(PgBouncer.binary().isPresent(), "pgbouncer is not installed (Debian package pgbouncer,"
                + " or -D" + PgBouncer.BINARY_PROPERTY + "=/path): the PgBouncer tests are skipped");
    }

    private static Connection connect(PgBouncer bouncer, TestDatabase db, String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        p.setProperty("password", db.password());
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(bouncer.jdbcUrl(db), p);
    }

    /**
     * Another client of the pool, reading lock_timeout and statement_timeout in a loop of short
     * transactions: it gets the server sessions the migration uses between the migration's transactions.
     */
    private static final class PoolNeighbour implements AutoCloseable {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        final CompletableFuture<Integer> loop;

        PoolNeighbour(PgBouncer bouncer, TestDatabase db) {
            loop = CompletableFuture.supplyAsync(() -> {
                int reads = 0;
                try (Connection c = connect(bouncer, db, "neighbour")) {
                    while (running.get()) {
                        seen.add(Sql.string(c, "select current_setting('lock_timeout') || '/'"
                                + " || current_setting('statement_timeout')"));
                        reads++;
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return reads;
            });
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            loop.get(30, TimeUnit.SECONDS);
        }
    }

    /** The settings each server session of the pool has now: holds {@code size} transactions at once. */
    private static List<String> settingsOfEveryServerSession(PgBouncer bouncer, TestDatabase db, int size)
            throws SQLException {
        List<Connection> clients = new ArrayList<>();
        List<String> settings = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Connection c = connect(bouncer, db, "inspector");
                clients.add(c);
                c.setAutoCommit(false); // each open transaction keeps its own server session
                settings.add(Sql.string(c, "select current_setting('lock_timeout') || '/'"
                        + " || current_setting('statement_timeout')"));
            }
            return settings;
        } finally {
            for (Connection c : clients) {
                c.rollback(); // a client leaving mid-transaction would make PgBouncer close its server session
                c.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void blockedMigrationThroughTransactionPoolingIsRetriedAndItsSettingsNeverReachAnotherClient(Migrator tool,
                                                                                                TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        try (PgBouncer bouncer = PgBouncer.start(db, "transaction", 3, true);
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            PoolNeighbour neighbour = new PoolNeighbour(bouncer, db);
            try (neighbour) {
                // the blocker ends once the migration waited for it and gave up (lock_timeout 200ms): without
                // LockSafe that never happens, and only the backstop ends the wait, failing the test below
                CompletableFuture<Void> released = report.releaseOnceAWaiterGaveUp();
                report.releaseAfter(Duration.ofSeconds(40));
                tool.migrate(db, bouncer.jdbcUrl(db), Map.of("lockTimeout", "200ms", "statementTimeout", "30s",
                        "initialBackoff", "100ms", "maxBackoff", "300ms", "maxAttempts", "50"),
                        "ALTER TABLE orders ADD COLUMN note text;");
                released.join();
            }
            assertThat(db.hasColumn("orders", "note")).isTrue();
            assertThat(tool.recorded(db, 1)).isOne();
            assertThat(neighbour.loop.get()).as("reads by the neighbour").isPositive();
            assertThat(neighbour.seen).as("settings another client saw while LockSafe retried").containsExactly("0/0");
            assertThat(settingsOfEveryServerSession(bouncer, db, 3)).containsOnly("0/0");
        }
    }

    /**
     * PgBouncer's wait for a free server connection, shortened from its 120 s default so that a lookup
     * stuck in that wait (and a migration waiting for it) ends within the test; still far longer than
     * anything the tests below allow.
     */
    private static final Map<String, String> SHORT_POOL_WAIT = Map.of("query_wait_timeout", "30");

    /** Two application clients reading the table through the pool, recording their slowest read. */
    private static List<AppLoad> twoApplicationClients(PgBouncer bouncer, TestDatabase db) {
        return List.of(AppLoad.start(() -> connect(bouncer, db, "app-1"), "select count(*) from orders"),
                AppLoad.start(() -> connect(bouncer, db, "app-2"), "select count(*) from orders"));
    }

    private static long slowestRead(List<AppLoad> clients) throws InterruptedException {
        long worst = 0;
        for (AppLoad client : clients) {
            client.close();
            assertThat(client.queries()).as("reads by an application client").isPositive();
            worst = Math.max(worst, client.worstMillis());
        }
        return worst;
    }

    /**
     * The case without any blocker: a pool of 3, two application clients, a migration that holds
     * its ACCESS EXCLUSIVE lock for 1 s. The clients' reads queue behind the migration and fill the pool,
     * so the blocker lookup's query waits inside PgBouncer for a server connection. The migration must
     * not wait for that lookup: the plain tool and LockSafe hold the table equally long.
     */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void blockerLookupWaitingForAFullPoolNeverHoldsUpTheMigration(Migrator tool, TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)", "insert into orders select generate_series(1, 1000)");
        String migration = "ALTER TABLE orders ADD COLUMN note text; SELECT pg_sleep(1);";
        try (PgBouncer bouncer = PgBouncer.start(db, "transaction", 3, false, SHORT_POOL_WAIT)) {
            List<AppLoad> plainClients = twoApplicationClients(bouncer, db);
            tool.migrate(db, bouncer.jdbcUrl(db), Map.of("enabled", "false"), migration);
            long plain = slowestRead(plainClients);

            db.execute("alter table orders drop column note");
            tool.forgetHistory(db);

            List<AppLoad> clients = twoApplicationClients(bouncer, db);
            long start = System.nanoTime();
            tool.migrate(db, bouncer.jdbcUrl(db), Map.of("lockTimeout", "200ms"), migration);
            long migrationMillis = (System.nanoTime() - start) / 1_000_000;
            long withLockSafe = slowestRead(clients);

            assertThat(db.hasColumn("orders", "note")).isTrue();
            assertThat(tool.recorded(db, 1)).isOne();
            // PgBouncer would end the stuck lookup after 30 s; the migration itself takes about 1 s
            assertThat(migrationMillis).as("migration with LockSafe, ms").isLessThan(15_000);
            assertThat(withLockSafe).as("slowest application read with LockSafe (plain tool: %d ms)", plain)
                    .isLessThan(plain + 1_000);
        }
    }

    /**
     * The same with a blocker: every attempt's lookups wait inside PgBouncer while the clients' reads fill
     * the pool, and the attempt that gets the lock holds it 300 ms (longer than a lookup's interval), so a
     * lookup is in flight when it ends. The migration commits at once, and no read waits much longer than
     * one lock_timeout or the migration's own hold.
     */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void blockerLookupWaitingForAFullPoolNeverHoldsUpTheRetriedMigration(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)", "insert into orders select generate_series(1, 1000)");
        try (PgBouncer bouncer = PgBouncer.start(db, "transaction", 3, false, SHORT_POOL_WAIT);
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            List<AppLoad> clients = twoApplicationClients(bouncer, db);
            CompletableFuture<Void> released = report.releaseOnceAWaiterGaveUp();
            report.releaseAfter(Duration.ofSeconds(40));
            long start = System.nanoTime();
            tool.migrate(db, bouncer.jdbcUrl(db), Map.of("lockTimeout", "200ms", "initialBackoff", "100ms",
                    "maxBackoff", "300ms", "maxAttempts", "50"), "ALTER TABLE orders ADD COLUMN note text; SELECT pg_sleep(0.3);");
            long migrationMillis = (System.nanoTime() - start) / 1_000_000;
            released.join();
            long worst = slowestRead(clients);

            assertThat(db.hasColumn("orders", "note")).isTrue();
            assertThat(tool.recorded(db, 1)).isOne();
            assertThat(migrationMillis).as("migration, ms").isLessThan(15_000);
            // the migration's hold (300 ms) or one lock_timeout (200 ms), plus the queue through a pool of 3 on a
            // busy machine; PgBouncer's wait is 30 s
            assertThat(worst).as("slowest application read, ms").isLessThan(1_500);
        }
    }

    @Test
    void statementOutsideATransactionThroughTransactionPoolingIsDetectedAndWarnedAbout(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id int, customer int)");
        try (PgBouncer bouncer = PgBouncer.start(db, "transaction", 5, true);
             LogCapture logs = LogCapture.of("dev.locksafe")) {
            settingsOfEveryServerSession(bouncer, db, 5); // five idle server sessions, handed out in turn
            try (LockSafe lockSafe = LockSafe.of(Policies.fast().build());
                 Connection c = connect(bouncer, db, "migrator")) {
                lockSafe.executeStatement("V7", c, "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)");
            }
            assertThat(logs.messagesContaining("not one server session")).singleElement().asString()
                    .contains("V7 ran outside a transaction", "PgBouncer pool_mode=transaction");
            // what the warning is about: the SET stayed behind in a server session other clients get next
            assertThat(settingsOfEveryServerSession(bouncer, db, 5)).contains("200ms/0");
        }
    }

    @Test
    void statementOutsideATransactionThroughSessionPoolingIsRetriedAndLeavesNoSettingBehind(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id int, customer int)");
        try (PgBouncer bouncer = PgBouncer.start(db, "session", 1, false);
             LogCapture logs = LogCapture.of("dev.locksafe");
             BlockingSession writer = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            RecordingListener listener = new RecordingListener(e -> TransactionalLockRetryTest.release(writer));
            try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
                 Connection c = connect(bouncer, db, "migrator")) {
                lockSafe.executeStatement("V7", c, "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer)");
                assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("0");
            }
            assertThat(listener.types()).hasSize(2);
            assertThat(logs.messagesContaining("not one server session")).isEmpty();
            // the one server session goes to the next client as LockSafe left it
            await().atMost(Duration.ofSeconds(10)).until(() -> settingsOfEveryServerSession(bouncer, db, 1)
                    .equals(List.of("0/0")));
        }
        assertThat(db.queryColumn("select indisvalid::text from pg_index where indrelid = 'orders'::regclass"))
                .containsExactly("true");
    }
}
