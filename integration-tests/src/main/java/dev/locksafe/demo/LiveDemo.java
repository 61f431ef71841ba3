package dev.locksafe.demo;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live demonstration on an embedded PostgreSQL: a report keeps a transaction open on {@code orders}
 * for a few seconds while an application keeps querying the table, and a normal Flyway migrate adds a
 * column, once without LockSafe and once with it. The log shows each LockSafe attempt with the blocking
 * session; the summary compares the application's slowest query in the two runs.
 *
 * <p>Run: {@code mvn -B -q -Pdemo -DskipTests verify} (from the project root);
 * {@code -Ddemo.blockSeconds=5} holds the report longer.
 */
public final class LiveDemo {

    private static final Logger LOG = LoggerFactory.getLogger("demo");

    private LiveDemo() {
    }

    public static void main(String[] args) throws Exception {
        Duration blockFor = Duration.ofSeconds(Long.getLong("demo.blockSeconds", 3));
        LOG.info("Starting an embedded PostgreSQL ...");
        PostgresServer server = PostgresServer.shared();
        try {
            LOG.info("PostgreSQL {} ready", server.majorVersion());
            long plain = run(server, "demo_plain", false, blockFor);
            long safe = run(server, "demo_locksafe", true, blockFor);
            LOG.info("==> Slowest application query while the migration waited for its lock:"
                    + " plain Flyway {} ms, Flyway + LockSafe {} ms (report held its lock {} ms)",
                    plain, safe, blockFor.toMillis());
        } finally {
            server.close();
        }
    }

    private static long run(PostgresServer server, String name, boolean lockSafe, Duration blockFor)
            throws Exception {
        TestDatabase db = server.createDatabase(name);
        try {
            MigrationFiles files = MigrationFiles.create()
                    .add("V1__orders.sql", "create table orders (id bigint primary key, status text);\n"
                            + "insert into orders select g, 'new' from generate_series(1, 100000) g;\n");
            Map<String, String> config = Map.of(
                    "flyway.locksafe.enabled", String.valueOf(lockSafe),
                    "flyway.locksafe.lockTimeout", "200ms",
                    "flyway.locksafe.initialBackoff", "300ms",
                    "flyway.locksafe.maxBackoff", "2s");
            Flyway flyway = Flyway.configure().configuration(config)
                    .dataSource(db.jdbcUrl(), db.user(), db.password())
                    .locations(files.flywayLocation()).load();
            flyway.migrate();
            files.add("V2__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");

            LOG.info("---- {} ----", lockSafe ? "Flyway + LockSafe (lockTimeout=200ms)" : "plain Flyway");
            AtomicLong worst = new AtomicLong();
            AtomicInteger queries = new AtomicInteger();
            Thread app = new Thread(() -> applicationLoad(db, worst, queries), "app");
            try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "monthly-report")) {
                LOG.info("Session 'monthly-report' (pid {}) holds ACCESS SHARE on orders for {} s; the application"
                        + " reads orders every 10 ms", report.pid(), blockFor.toSeconds());
                app.start();
                report.releaseAfter(blockFor);
                long start = System.nanoTime();
                flyway.migrate();
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                Thread.sleep(200);
                app.interrupt();
                app.join();
                LOG.info("migrate done in {} ms; the application ran {} queries, the slowest took {} ms",
                        tookMs, queries.get(), worst.get());
            }
            return worst.get();
        } finally {
            server.dropDatabase(name);
        }
    }

    private static void applicationLoad(TestDatabase db, AtomicLong worst, AtomicInteger queries) {
        try (Connection c = db.connect("app")) {
            long id = 1;
            while (!Thread.currentThread().isInterrupted()) {
                long start = System.nanoTime();
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select status from orders where id = " + (id++ % 100000 + 1))) {
                    rs.next();
                }
                worst.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                queries.incrementAndGet();
                Thread.sleep(10);
            }
        } catch (SQLException | InterruptedException e) {
            // the run is over
        }
    }
}
