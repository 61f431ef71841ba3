package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Things going wrong while LockSafe retries: after each, the migration is either fully applied and
 * recorded once, or not at all, and the next run works.
 */
@ExtendWith(PostgresExtension.class)
class FaultToleranceTest {

    private static final String ADD_NOTE = "ALTER TABLE orders ADD COLUMN note text;\n";

    private static Flyway flyway(TestDatabase db, MigrationFiles files, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>();
        settings.forEach((k, v) -> config.put("flyway.locksafe." + k, v));
        config.put("flyway.baselineOnMigrate", "true");
        config.put("flyway.baselineVersion", "0");
        return Flyway.configure().configuration(config).dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations(files.flywayLocation()).load();
    }

    private static MigrationFiles ordersAndNote(TestDatabase db) {
        db.execute("create table orders (id bigint primary key)");
        return MigrationFiles.create().add("V1__add_note.sql", ADD_NOTE);
    }

    /** Pids of the sessions the blocker holds up right now. */
    private static List<String> blockedBy(TestDatabase db, int blockerPid) {
        return db.queryColumn("select pid from pg_stat_activity where " + blockerPid + " = any(pg_blocking_pids(pid))");
    }

    private static void assertNotAppliedThenAppliesOnNextRun(TestDatabase db, MigrationFiles files) {
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '1' and success")).isZero();
        flyway(db, files, Map.of("lockTimeout", "200ms")).migrate();
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '1'")).isOne();
    }

    @Test
    void migratingSessionTerminatedWhileWaitingFailsCleanlyAndTheNextMigrateApplies(TestDatabase db) throws Exception {
        MigrationFiles files = ordersAndNote(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Object> migrate = CompletableFuture.supplyAsync(
                    () -> flyway(db, files, Map.of("lockTimeout", "5s", "maxAttempts", "3")).migrate());
            await().atMost(Duration.ofSeconds(30)).until(() -> !blockedBy(db, report.pid()).isEmpty());
            String migrator = blockedBy(db, report.pid()).get(0);
            db.execute("select pg_terminate_backend(" + migrator + ")");
            assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertNotAppliedThenAppliesOnNextRun(db, files);
    }

    @Test
    void migratingSessionTerminatedWhileBackingOffFailsCleanlyAndTheNextMigrateApplies(TestDatabase db)
            throws Exception {
        MigrationFiles files = ordersAndNote(db);
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Object> migrate = CompletableFuture.supplyAsync(() -> flyway(db, files,
                    Map.of("lockTimeout", "100ms", "initialBackoff", "3s", "maxBackoff", "3s", "jitter", "0"))
                    .migrate());
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.messagesContaining("attempt 1/").isEmpty());
            // LockSafe sleeps now, holding no lock: end every Flyway session
            db.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
                    + " and pid <> pg_backend_pid() and pid <> " + report.pid() + " and application_name <> 'app-load'");
            assertThatThrownBy(() -> migrate.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertNotAppliedThenAppliesOnNextRun(db, files);
    }

    @Test
    void blockerTerminatedMidWaitLetsTheMigrationProceed(TestDatabase db) throws Exception {
        MigrationFiles files = ordersAndNote(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Object> migrate = CompletableFuture.supplyAsync(
                    () -> flyway(db, files, Map.of("lockTimeout", "5s")).migrate());
            await().atMost(Duration.ofSeconds(30)).until(() -> !blockedBy(db, report.pid()).isEmpty());
            db.execute("select pg_terminate_backend(" + report.pid() + ")");
            migrate.get(60, TimeUnit.SECONDS);
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '1'")).isOne();
    }

    @Test
    void twoMigratorsAtOnceApplyEachMigrationExactlyOnce(TestDatabase db) throws Exception {
        MigrationFiles files = ordersAndNote(db).add("V2__audit.sql", "create table audit (id int);\n");
        Map<String, String> settings = Map.of("lockTimeout", "200ms", "initialBackoff", "100ms", "maxBackoff", "500ms",
                "maxAttempts", "50");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> flyway(db, files, settings).migrate());
            CompletableFuture<Object> second = CompletableFuture.supplyAsync(() -> flyway(db, files, settings).migrate());
            report.releaseAfter(Duration.ofSeconds(2));
            first.get(120, TimeUnit.SECONDS);
            second.get(120, TimeUnit.SECONDS);
        }
        assertThat(db.queryColumn("select version from flyway_schema_history where version is not null"
                + " and version <> '0' order by installed_rank")).containsExactly("1", "2");
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void liquibaseMigratingSessionTerminatedWhileWaitingFailsCleanlyAndTheNextUpdateApplies(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql",
                "--liquibase formatted sql\n--changeset dev:add-note\n" + ADD_NOTE);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> update = CompletableFuture.runAsync(() -> {
                try {
                    liquibase.update("changelog.sql", Map.of("liquibase.locksafe.lockTimeout", "5s",
                            "liquibase.locksafe.maxAttempts", "3"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> !blockedBy(db, report.pid()).isEmpty());
            db.execute("select pg_terminate_backend(" + blockedBy(db, report.pid()).get(0) + ")");
            assertThatThrownBy(() -> update.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from databasechangelog")).isZero();
        // the killed session could not release Liquibase's changelog lock (as without LockSafe);
        // a user runs release-locks
        assertThat(db.queryLong("select count(*) from databasechangeloglock where locked")).isOne();
        liquibase.run("releaseLocks", "changelog.sql", Map.of());
        liquibase.update("changelog.sql", Map.of("liquibase.locksafe.lockTimeout", "200ms"));
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from databasechangelog where id = 'add-note'")).isOne();
    }
}
