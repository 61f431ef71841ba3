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
