package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.RestartablePostgres;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Things going wrong while LockSafe retries, each through Flyway and through Liquibase: afterwards the
 * migration is either fully applied and recorded once, or not applied and not recorded, and the next
 * run applies it.
 */
@ExtendWith(PostgresExtension.class)
class FaultToleranceTest {

    private static final String ADD_NOTE = "ALTER TABLE orders ADD COLUMN note text;";
    /** Waits one lock_timeout of 100ms, then backs off for 3s: long enough to act while it sleeps. */
    private static final Map<String, String> SLOW_BACKOFF = Map.of("lockTimeout", "100ms", "initialBackoff", "3s",
            "maxBackoff", "3s", "jitter", "0", "maxAttempts", "5");

    private static CompletableFuture<Void> migrateAsync(Migrator tool, TestDatabase db, Map<String, String> settings,
                                                        String... migrations) {
        try {
            return tool.startInstance(db, settings, migrations);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Until the migrator waited for the blocker and gave up: LockSafe now sleeps, holding no lock. */
    private static void untilBackingOff(TestDatabase db, BlockingSession blocker) {
        blocker.awaitBlockedSessions();
        await().atMost(Duration.ofSeconds(30)).until(() -> blocker.blockedSessions().isEmpty());
    }

    private static void assertNotAppliedThenAppliedOnceByTheNextRun(Migrator tool, TestDatabase db) throws Exception {
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(tool.recorded(db, 1)).isZero();
        tool.recoverAfterCrash(db);
        tool.migrate(db, Map.of("lockTimeout", "200ms"), ADD_NOTE);
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(tool.recorded(db, 1)).isOne();
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void migratingSessionTerminatedWhileWaitingFailsCleanlyAndTheNextRunApplies(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> migrate = migrateAsync(tool, db, Map.of("lockTimeout", "5s", "maxAttempts", "3"),
                    ADD_NOTE);
            String migrator = report.awaitBlockedSessions().get(0);
            db.execute("select pg_terminate_backend(" + migrator + ")");
            assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertNotAppliedThenAppliedOnceByTheNextRun(tool, db);
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void migratingSessionTerminatedWhileBackingOffFailsCleanlyAndTheNextRunApplies(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> migrate = migrateAsync(tool, db, SLOW_BACKOFF, ADD_NOTE);
            untilBackingOff(db, report);
            db.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
                    + " and pid <> pg_backend_pid() and pid <> " + report.pid());
            assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertNotAppliedThenAppliedOnceByTheNextRun(tool, db);
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void blockerTerminatedMidWaitLetsTheMigrationProceed(Migrator tool, TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> migrate = migrateAsync(tool, db, Map.of("lockTimeout", "5s"), ADD_NOTE);
            report.awaitBlockedSessions();
            db.execute("select pg_terminate_backend(" + report.pid() + ")");
            migrate.get(60, TimeUnit.SECONDS);
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(tool.recorded(db, 1)).isOne();
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void serverRestartedWhileRetryingFailsCleanlyAndTheNextRunApplies(Migrator tool) throws Exception {
        try (RestartablePostgres server = RestartablePostgres.start()) {
            TestDatabase db = server.createDatabase("restart_" + tool.name().toLowerCase(java.util.Locale.ROOT));
            db.execute("create table orders (id bigint primary key)");
            CompletableFuture<Void> migrate;
            try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
                migrate = migrateAsync(tool, db, SLOW_BACKOFF, ADD_NOTE);
                untilBackingOff(db, report);
                server.restart(); // every session ends, the blocker's too
            }
            assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertNotAppliedThenAppliedOnceByTheNextRun(tool, db);
        }
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void twoMigratorsAtOnceWithABlockerApplyEachMigrationExactlyOnce(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        Map<String, String> settings = Map.of("lockTimeout", "200ms", "initialBackoff", "100ms", "maxBackoff", "500ms",
                "maxAttempts", "50");
        String audit = "CREATE TABLE audit (id int);";
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> first = migrateAsync(tool, db, settings, ADD_NOTE, audit);
            // the second instance starts while the first retries: the tool's own lock makes it wait (two
            // first-ever Liquibase runs started at the same instant race to create DATABASECHANGELOG, before
            // any changeset and before LockSafe is involved)
            report.awaitBlockedSessions();
            CompletableFuture<Void> second = migrateAsync(tool, db, settings, ADD_NOTE, audit);
            report.releaseAfter(Duration.ofSeconds(1));
            first.get(120, TimeUnit.SECONDS);
            second.get(120, TimeUnit.SECONDS);
        }
        assertThat(tool.recorded(db, 1)).isOne();
        assertThat(tool.recorded(db, 2)).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void exhaustedConcurrentIndexBuildLeavesNoInvalidIndexAndTheNextRunBuildsIt(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key, customer int)");
        String index = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer);";
        // one attempt, so its cleanup is the last and may wait up to maxBackoff; Flyway's own lock must not
        // be a transaction the build waits for (flyway.postgresql.transactional.lock=false, see the README)
        Map<String, String> settings = Map.of("maxAttempts", "1", "lockTimeout", "200ms", "maxBackoff", "20s",
                "flyway.postgresql.transactional.lock", "false");
        try (BlockingSession writer = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            CompletableFuture<Void> released = writer.releaseWhen(() -> db.queryLong("select count(*) from"
                    + " pg_stat_activity where wait_event_type = 'Lock' and query ilike 'DROP INDEX CONCURRENTLY%'") > 0);
            assertThatThrownBy(() -> tool.migrate(db, settings, index)).hasStackTraceContaining("gave up after 1 attempt");
            released.join();
        }
        assertThat(db.queryLong("select count(*) from pg_index where not indisvalid")).isZero();
        assertThat(tool.recorded(db, 1)).isZero();
        tool.recoverAfterCrash(db);
        tool.migrate(db, Map.of("flyway.postgresql.transactional.lock", "false"), index);
        assertThat(db.queryColumn("select indisvalid::text from pg_index where indexrelid = 'orders_customer_idx'::regclass"))
                .containsExactly("true");
        assertThat(tool.recorded(db, 1)).isOne();
    }

    /**
     * A real deadlock: the application holds a and asks for b; the migration holds b and then asks for a.
     * The migration waits (in the database, see {@link #WAIT_UNTIL_B_IS_WANTED}) until the application
     * asks for b, so the cycle exists when the migration starts waiting for a and the migration's own
     * deadlock check (deadlock_timeout 1s against the application's 60s) finds it: the migration gets
     * 40P01. Its lock_timeout (30s) is too long to end the wait first. A deadlock check runs once per
     * wait, so without that order the check could run before the cycle closed.
     */
    private static final String LOCK_B_THEN_A = "SET LOCAL deadlock_timeout = '1s';\n"
            + "LOCK TABLE b IN ACCESS EXCLUSIVE MODE;\n"
            + "SELECT wait_until_b_is_wanted();\n"
            + "LOCK TABLE a IN ACCESS EXCLUSIVE MODE;\n"
            + "ALTER TABLE b ADD COLUMN note text;";

    /**
     * Returns once another session waits for b, or once nobody holds a (a retry after the deadlock,
     * when the application has finished). pg_locks is read afresh on every call, unlike pg_stat_activity.
     */
    private static final String WAIT_UNTIL_B_IS_WANTED = """
            create function wait_until_b_is_wanted() returns void language plpgsql as $$
            declare
              deadline timestamptz := clock_timestamp() + interval '60 seconds';
            begin
              while exists (select 1 from pg_locks where relation = 'a'::regclass and granted)
                and not exists (select 1 from pg_locks where relation = 'b'::regclass and not granted)
                and clock_timestamp() < deadline loop
                perform pg_sleep(0.005);
              end loop;
            end $$""";

    private static final Map<String, String> DEADLOCK_ONLY = Map.of("lockTimeout", "30s", "maxLockTimeout", "30s",
            "initialBackoff", "50ms", "jitter", "0");

    private static CompletableFuture<Void> deadlock(Migrator tool, TestDatabase db, Map<String, String> settings)
            throws Exception {
        db.execute("create table a (id int)", "create table b (id int)", WAIT_UNTIL_B_IS_WANTED);
        try (Connection app = db.connect("app")) {
            app.setAutoCommit(false);
            Sql.exec(app, "set deadlock_timeout = '60s'");
            Sql.exec(app, "lock table a in access exclusive mode");
            CompletableFuture<Void> migrate = migrateAsync(tool, db, settings, LOCK_B_THEN_A);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> db.queryLong(
                    "select count(*) from pg_locks where relation = 'b'::regclass and granted") > 0);
            Sql.exec(app, "lock table b in access exclusive mode"); // returns once the migration lost the deadlock
            app.commit();
            return migrate;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void deadlockWithTheApplicationFailsTheMigrationByDefault(Migrator tool, TestDatabase db) throws Exception {
        CompletableFuture<Void> migrate = deadlock(tool, db, DEADLOCK_ONLY);
        assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).hasStackTraceContaining("deadlock detected");
        assertThat(db.hasColumn("b", "note")).isFalse();
        assertThat(tool.recorded(db, 1)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void deadlockWithTheApplicationIsRetriedWhenConfiguredAndThenSucceeds(Migrator tool, TestDatabase db)
            throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(DEADLOCK_ONLY);
        settings.put("retrySqlStates", "40P01"); // only a deadlock is retried: a lock timeout would fail the test
        CompletableFuture<Void> migrate = deadlock(tool, db, settings);
        migrate.get(60, TimeUnit.SECONDS);
        assertThat(db.hasColumn("b", "note")).isTrue();
        assertThat(tool.recorded(db, 1)).isOne();
    }
}
