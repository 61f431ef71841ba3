package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.locksafe.flyway.LockSafePostgreSQLDatabaseType;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.SingleConnectionDataSource;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class FlywayMigrateTest {

    /** How long the report holds its lock once the migration queued behind it. */
    private static final Duration BLOCKER_HOLD = Duration.ofSeconds(5);

    private static final String V1 = "create table orders (id bigint primary key, status text);\n"
            + "insert into orders select g, 'new' from generate_series(1, 1000) g;\n";
    private static final String V2 = "ALTER TABLE orders ADD COLUMN note text;\n";

    private static Map<String, String> fastRetries() {
        Map<String, String> config = new HashMap<>();
        config.put("flyway.locksafe.lockTimeout", "200ms");
        config.put("flyway.locksafe.initialBackoff", "200ms");
        config.put("flyway.locksafe.maxBackoff", "1s");
        config.put("flyway.locksafe.maxAttempts", "30");
        return config;
    }

    private static Flyway flyway(TestDatabase db, MigrationFiles files, Map<String, String> config) {
        return Flyway.configure()
                .configuration(config)
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations(files.flywayLocation())
                .load();
    }

    private static long historyRows(TestDatabase db, String version) {
        return db.queryLong("select count(*) from flyway_schema_history where version = '" + version + "' and success");
    }

    @Test
    void blockedMigrationIsRetriedUntilTheBlockerEndsAndTheApplicationIsNeverHeldUp(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        flyway(db, files, fastRetries()).migrate();
        files.add("V2__add_note.sql", V2);

        MigrateResult result;
        long worst;
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             AppLoad app = AppLoad.start(db, "select status from orders where id = 7")) {
            report.releaseAfterWaitedFor(BLOCKER_HOLD);
            result = flyway(db, files, fastRetries()).migrate();
            worst = app.worstMillis();

            assertThat(log.messagesContaining("V2__add_note.sql attempt 1/30 failed"))
                    .singleElement().asString()
                    .contains("SQLSTATE 55P03", "lock_timeout 200ms", "ALTER TABLE orders ADD COLUMN note text",
                            "pid=" + report.pid(), "app=report-job", "state=idle in transaction");
            assertThat(log.messagesContaining("V2__add_note.sql succeeded on attempt")).hasSize(1);
        }
        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isEqualTo(1);
        assertThat(historyRows(db, "2")).isEqualTo(1);
        assertThat(db.hasColumn("orders", "note")).isTrue();
        // the product's claim: about one lock_timeout (200 ms), with room for a busy 2-core machine
        assertThat(worst).as("slowest application query (ms)").isLessThan(200 + 400);
    }

    @Test
    void withoutLockSafeTheSameMigrationHoldsTheApplicationUpForAsLongAsTheBlocker(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        Map<String, String> disabled = Map.of("flyway.locksafe.enabled", "false");
        flyway(db, files, disabled).migrate();
        files.add("V2__add_note.sql", V2);

        long worst;
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             AppLoad app = AppLoad.start(db, "select status from orders where id = 7")) {
            await().until(() -> app.queries() > 0);
            report.releaseAfterWaitedFor(BLOCKER_HOLD);
            flyway(db, files, disabled).migrate();
            worst = app.worstMillis();
            assertThat(log.messagesContaining("attempt")).isEmpty();
            assertThat(log.messagesContaining("disabled by flyway.locksafe.enabled=false")).isNotEmpty();
        }
        // the blocker's 5 s count from when the migration queued, so the plain tool queues for all of them
        assertThat(worst).as("slowest application query (ms)").isGreaterThan(BLOCKER_HOLD.toMillis() - 1_000);
        assertThat(historyRows(db, "2")).isEqualTo(1);
    }

    @Test
    void exhaustedMigrationFailsWithLockSafesMessageLeavesNoTraceAndAppliesOnTheNextMigrate(TestDatabase db)
            throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        Map<String, String> config = fastRetries();
        config.put("flyway.locksafe.maxAttempts", "3");
        flyway(db, files, config).migrate();
        files.add("V2__add_note.sql", "create table notes (id int);\n" + V2);

        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            assertThatThrownBy(() -> flyway(db, files, config).migrate())
                    .isInstanceOf(FlywayException.class)
                    .hasMessageContaining("LockSafe: V2__add_note.sql gave up after 3 attempts")
                    .hasMessageContaining("app=report-job");
            assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '2'")).isZero();
            assertThat(db.hasColumn("orders", "note")).isFalse();
            assertThat(db.queryLong("select count(*) from pg_class where relname = 'notes'")).isZero();
        }
        MigrateResult again = flyway(db, files, config).migrate();
        assertThat(again.migrationsExecuted).isEqualTo(1);
        assertThat(historyRows(db, "2")).isEqualTo(1);
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    /** A Java migration, blocked like the SQL one. */
    public static class V2__JavaAddNote extends BaseJavaMigration {
        @Override
        public void migrate(Context context) throws Exception {
            try (Statement st = context.getConnection().createStatement()) {
                st.execute(V2);
            }
        }
    }

    @Test
    void javaMigrationIsRetriedToo(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        flyway(db, files, fastRetries()).migrate();
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> released = report.releaseWhen(() -> !log.messagesContaining("attempt 1/").isEmpty());
            Flyway.configure().configuration(fastRetries()).dataSource(db.jdbcUrl(), db.user(), db.password())
                    .locations(files.flywayLocation()).javaMigrations(new V2__JavaAddNote()).load().migrate();
            released.join();
            assertThat(log.messagesContaining("attempt 1/30 failed")).singleElement().asString()
                    .contains("JavaAddNote", "app=report-job");
        }
        assertThat(historyRows(db, "2")).isEqualTo(1);
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void concurrentIndexInANonTransactionalMigrationIsRetriedWithoutInvalidLeftovers(TestDatabase db)
            throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        Map<String, String> config = fastRetries();
        config.put("flyway.postgresql.transactional.lock", "false");
        flyway(db, files, config).migrate();
        files.add("V2__status_index.sql", "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n");
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession writer = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            CompletableFuture<Void> released = writer.releaseWhen(() -> !log.messagesContaining("attempt 1/").isEmpty());
            flyway(db, files, config).migrate();
            released.join();
            assertThat(log.messagesContaining("V2__status_index.sql attempt 1/30 failed")).singleElement().asString()
                    .contains("CREATE INDEX CONCURRENTLY orders_status_idx", "app=open-writer");
            assertThat(log.messagesContaining("transactional.lock")).isEmpty();
        }
        assertThat(db.queryColumn("select c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid where i.indrelid = 'orders'::regclass order by 1"))
                .containsExactly("orders_pkey:true", "orders_status_idx:true");
        assertThat(historyRows(db, "2")).isEqualTo(1);
    }

    @Test
    void concurrentIndexUnderFlywaysTransactionalLockFailsBoundedWithTheFixInTheLog(TestDatabase db) {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        Map<String, String> config = fastRetries();
        config.put("flyway.locksafe.maxAttempts", "2");
        flyway(db, files, config).migrate();
        files.add("V2__status_index.sql", "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            assertThatThrownBy(() -> flyway(db, files, config).migrate())
                    .hasMessageContaining("V2__status_index.sql gave up after 2 attempts")
                    // the blocker is Flyway's own schema-history lock transaction
                    .hasMessageContaining("state=idle in transaction");
            assertThat(log.messagesContaining("Set flyway.postgresql.transactional.lock=false")).hasSize(1);
        }
        assertThat(db.queryLong("select count(*) from pg_index where not indisvalid")).isZero();
    }

    @Test
    void connectionsFlywayUsedKeepTheirOwnLockTimeout(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1).add("V2__add_note.sql", V2);
        try (SingleConnectionDataSource single = new SingleConnectionDataSource(db.connect())) {
            try (Statement st = single.physical().createStatement()) {
                st.execute("set lock_timeout = '3s'");
            }
            Flyway.configure().configuration(fastRetries()).dataSource(single).locations(files.flywayLocation())
                    .configuration(Map.of("flyway.postgresql.transactional.lock", "false")).load().migrate();
            assertThat(Sql.string(single.physical(), "show lock_timeout")).isEqualTo("3s");
            assertThat(Sql.string(single.physical(), "show statement_timeout")).isEqualTo("0");
        }
        assertThat(historyRows(db, "2")).isEqualTo(1);
    }

    @Test
    void invalidSettingStopsMigrateBeforeAnyMigrationRuns(TestDatabase db) {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1);
        assertThatThrownBy(() -> flyway(db, files, Map.of("flyway.locksafe.lockTimeout", "1s'; DROP TABLE x; --"))
                .migrate())
                .hasMessageContaining("Invalid LockSafe setting flyway.locksafe.lockTimeout='1s'; DROP TABLE x; --'")
                .hasMessageContaining("expected a duration such as 250ms");
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'orders'")).isZero();
    }

    @Test
    void groupTrueDoesNotRetryButStillBoundsTheWaitAndSaysSo(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key, status text)");
        MigrationFiles files = MigrationFiles.create()
                .add("V1__audit.sql", "create table audit (id int);\n")
                .add("V2__add_note.sql", V2);
        Map<String, String> config = fastRetries();
        config.put("flyway.group", "true");
        config.put("flyway.baselineOnMigrate", "true");
        config.put("flyway.baselineVersion", "0");
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> flyway(db, files, config).migrate())
                    .hasMessageContaining("V2__add_note.sql gave up after 1 attempt");
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms until migrate failed").isLessThan(5_000);
            assertThat(log.messagesContaining("group=true")).singleElement().asString()
                    .contains("LockSafe does not retry");
        }
        // the group is one transaction: V1 is rolled back with V2
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'audit'")).isZero();
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void infoValidateRepairAndCleanBehaveAsWithoutLockSafe(TestDatabase db) {
        MigrationFiles files = MigrationFiles.create().add("V1__orders.sql", V1).add("V2__add_note.sql", V2);
        Map<String, String> config = fastRetries();
        config.put("flyway.cleanDisabled", "false");
        Flyway flyway = flyway(db, files, config);
        assertThat(flyway.info().pending()).hasSize(2);
        flyway.migrate();
        assertThat(flyway.info().applied()).extracting(i -> i.getVersion().getVersion()).containsExactly("1", "2");
        assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
        assertThat(flyway.repair().repairActions).isEmpty();
        flyway.clean();
        assertThat(db.queryLong("select count(*) from pg_class where relname in ('orders', 'flyway_schema_history')"))
                .isZero();
    }

    @Test
    void otherDatabasesAreNeverTakenOver() {
        LockSafePostgreSQLDatabaseType type = new LockSafePostgreSQLDatabaseType();
        assertThat(type.handlesDatabaseProductNameAndVersion("H2", "2.3.232", null)).isFalse();
        assertThat(type.handlesDatabaseProductNameAndVersion("MySQL", "8.4", null)).isFalse();
    }

}
