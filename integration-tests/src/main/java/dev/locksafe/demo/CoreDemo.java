package dev.locksafe.demo;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockRelease;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live demonstration on an embedded PostgreSQL: a report keeps a transaction open on {@code orders}
 * for a few seconds, a migration adds a column through LockSafe, and an application keeps querying
 * the table. The log shows each failed attempt with the blocking session; the summary shows that the
 * application was never held up for longer than the lock timeout.
 *
 * <p>Run: {@code mvn -B -q -Pdemo -DskipTests verify} (from the project root).
 */
public final class CoreDemo {

    private static final Logger LOG = LoggerFactory.getLogger("demo");

    private CoreDemo() {
    }

    public static void main(String[] args) throws Exception {
        Duration blockFor = Duration.ofSeconds(Long.getLong("demo.blockSeconds", 3));
        LOG.info("Starting an embedded PostgreSQL ...");
        PostgresServer server = PostgresServer.shared();
        TestDatabase db = server.createDatabase("locksafe_demo");
        db.execute("create table orders (id bigint primary key, status text)",
                "insert into orders select g, 'new' from generate_series(1, 100000) g");
        LOG.info("PostgreSQL {} ready; table orders has 100000 rows", server.majorVersion());

        AtomicLong worstLatencyMs = new AtomicLong();
        AtomicInteger queries = new AtomicInteger();
        Thread app = new Thread(() -> applicationLoad(db, worstLatencyMs, queries), "app");

        LockSafeSettings settings = LockSafeSettings.builder()
                .lockTimeout(Duration.ofMillis(200))
                .initialBackoff(Duration.ofMillis(300))
                .maxBackoff(Duration.ofSeconds(2))
                .build();
        AtomicInteger attempts = new AtomicInteger(1);
        AttemptListener counting = new AttemptListener() {
            @Override
            public void onRetry(AttemptEvent event) {
                attempts.incrementAndGet();
            }
        };

        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "monthly-report");
             LockSafe lockSafe = LockSafe.builder(settings)
                     .listener(AttemptListener.composite(List.of(AttemptListener.logging(), counting)))
                     .probeConnections(ConnectionSource.of(db.dataSource("locksafe-probe")))
                     .build();
             Connection migration = db.connect("migration")) {
            LOG.info("Session 'monthly-report' (pid {}) holds ACCESS SHARE on orders for {}s", report.pid(),
                    blockFor.toSeconds());
            app.start();
            report.releaseAfter(blockFor);
            LOG.info("Migration: ALTER TABLE orders ADD COLUMN note text, with {}", settings);
            long start = System.nanoTime();
            migration.setAutoCommit(false);
            lockSafe.runInTransaction("V2__add_note", migration, LockRelease.savepoint(), () -> {
                try (Statement st = migration.createStatement()) {
                    return st.executeUpdate("ALTER TABLE orders ADD COLUMN note text");
                }
            });
            migration.commit();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(200);
            app.interrupt();
            app.join();
            LOG.info("Done: migration applied after {} attempts in {} ms; the application ran {} queries,"
                    + " the slowest took {} ms (lock_timeout {} ms; without LockSafe it would wait ~{} ms)",
                    attempts.get(), tookMs, queries.get(), worstLatencyMs.get(), settings.lockTimeout().toMillis(),
                    blockFor.toMillis());
        } finally {
            server.dropDatabase("locksafe_demo");
            server.close();
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
            // the demo is over
        }
    }
}
