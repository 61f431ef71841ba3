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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live demonstration on an embedded PostgreSQL: a report keeps a transaction open on {@code orders}
 * for a few seconds while an application keeps querying the table, and a normal Flyway migrate, then a
 * normal Liquibase update, adds a column, each once without LockSafe and once with it. The log shows
 * each LockSafe attempt with the blocking session; the summary compares the application's slowest
 * query in the four runs.
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
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        LOG.info("Starting an embedded PostgreSQL ...");
        PostgresServer server = PostgresServer.shared();
        try {
            LOG.info("PostgreSQL {} ready", server.majorVersion());
            long flyway = run(server, "demo_flyway", Tool.FLYWAY, false, blockFor);
            long flywaySafe = run(server, "demo_flyway_locksafe", Tool.FLYWAY, true, blockFor);
            long liquibase = run(server, "demo_liquibase", Tool.LIQUIBASE, false, blockFor);
            long liquibaseSafe = run(server, "demo_liquibase_locksafe", Tool.LIQUIBASE, true, blockFor);
            LOG.info("==> Slowest application query while the migration waited for its lock (report held it {} ms):",
                    blockFor.toMillis());
            LOG.info("==>   plain Flyway {} ms, Flyway + LockSafe {} ms", flyway, flywaySafe);
            LOG.info("==>   plain Liquibase {} ms, Liquibase + LockSafe {} ms", liquibase, liquibaseSafe);
        } finally {
            server.close();
        }
    }

    private enum Tool { FLYWAY, LIQUIBASE }

    /** A migration tool pointed at one database: set up the table, then run the blocked change. */
    private interface Migrator {
        void migrate() throws Exception;
    }

    private static long run(PostgresServer server, String name, Tool tool, boolean lockSafe, Duration blockFor)
            throws Exception {
        TestDatabase db = server.createDatabase(name);
        try {
            db.execute("create table orders (id bigint primary key, status text)",
                    "insert into orders select g, 'new' from generate_series(1, 100000) g");
            Migrator migrator = tool == Tool.FLYWAY ? flyway(db, lockSafe) : liquibase(db, lockSafe);

            LOG.info("---- {}{} ----", tool == Tool.FLYWAY ? "Flyway" : "Liquibase",
                    lockSafe ? " + LockSafe (lockTimeout=200ms)" : ", plain");
            AtomicLong worst = new AtomicLong();
            AtomicInteger queries = new AtomicInteger();
            Thread app = new Thread(() -> applicationLoad(db, worst, queries), "app");
            try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "monthly-report")) {
                LOG.info("Session 'monthly-report' (pid {}) holds ACCESS SHARE on orders for {} s; the application"
                        + " reads orders every 10 ms", report.pid(), blockFor.toSeconds());
                app.start();
                report.releaseAfter(blockFor);
                long start = System.nanoTime();
                migrator.migrate();
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                Thread.sleep(200);
                app.interrupt();
                app.join();
                LOG.info("migration done in {} ms; the application ran {} queries, the slowest took {} ms",
                        tookMs, queries.get(), worst.get());
            }
            return worst.get();
        } finally {
            server.dropDatabase(name);
        }
    }

    private static Map<String, String> settings(String prefix, boolean lockSafe) {
        return Map.of(
                prefix + "enabled", String.valueOf(lockSafe),
                prefix + "lockTimeout", "200ms",
                prefix + "initialBackoff", "300ms",
                prefix + "maxBackoff", "2s");
    }

    private static Migrator flyway(TestDatabase db, boolean lockSafe) {
        MigrationFiles files = MigrationFiles.create()
                .add("V1__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
        return () -> Flyway.configure().configuration(settings("flyway.locksafe.", lockSafe))
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .baselineOnMigrate(true).baselineVersion("0")
                .locations(files.flywayLocation()).load().migrate();
    }

    private static Migrator liquibase(TestDatabase db, boolean lockSafe) {
        MigrationFiles files = MigrationFiles.create().add("changelog.sql", "--liquibase formatted sql\n"
                + "--changeset demo:add-note\nALTER TABLE orders ADD COLUMN note text;\n");
        return () -> {
            Map<String, Object> scope = new HashMap<>(settings("liquibase.locksafe.", lockSafe));
            scope.put(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(files.dir()));
            scope.put("liquibase.showBanner", "false");
            scope.put(Scope.Attr.ui.name(), new LoggerUIService());
            Scope.child(scope, () -> new CommandScope("update")
                    .addArgumentValue("url", db.jdbcUrl())
                    .addArgumentValue("username", db.user())
                    .addArgumentValue("password", db.password())
                    .addArgumentValue("changelogFile", "changelog.sql")
                    .execute());
        };
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
