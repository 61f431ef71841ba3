package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ZDD check under Flyway, on a real PostgreSQL: release N's schema (V1) is migrated first, then the
 * next release's migrations run with the check; findings are judged against the schema at the start of
 * that run.
 */
@ExtendWith(PostgresExtension.class)
class ZddCheckFlywayTest {

    private static final String RELEASE_N = "create table orders (id bigint primary key, note text, qty int,"
            + " code varchar(10), status text not null default 'new');\n"
            + "create view open_orders as select id, status from orders where status <> 'done';\n"
            + "create type mood as enum ('sad', 'ok');\n";

    private static Flyway flyway(TestDatabase db, MigrationFiles files, String check) {
        return Flyway.configure()
                .configuration(Map.of("flyway.locksafe.check", check, "flyway.locksafe.lockTimeout", "200ms",
                        "flyway.locksafe.initialBackoff", "100ms", "flyway.locksafe.maxBackoff", "500ms",
                        "flyway.locksafe.maxAttempts", "30"))
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations(files.flywayLocation())
                .load();
    }

    /** Release N in production: V1 migrated in an earlier run. */
    private static MigrationFiles releaseN(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__release_n.sql", RELEASE_N);
        flyway(db, files, "off").migrate();
        return files;
    }

    private static long historyRows(TestDatabase db, String version) {
        return db.queryLong("select count(*) from flyway_schema_history where version = '" + version + "'");
    }

    private static List<String> zddLines(LogCapture log) {
        return log.messagesContaining("LockSafe ZDD:");
    }

    @Test
    void droppingABaselineColumnFailsTheMigrationAndLeavesSchemaAndHistoryAsBefore(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                .isInstanceOf(FlywayException.class)
                .hasMessageContaining("LockSafe ZDD check failed for V2__drop_note.sql")
                .hasMessageContaining("B101 drop-column public.orders.note")
                .hasMessageContaining("release N stops reading and writing the column");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(historyRows(db, "2")).isZero();
    }

    /**
     * {@code checkSchemas=billing}: the other application's schema ({@code public} here) is neither read nor
     * judged, so dropping a column there passes; the same change in {@code billing} fails. A quoted
     * mixed-case name is matched as {@code pg_namespace} has it.
     */
    @Test
    void checkSchemasJudgesOnlyTheListedSchemas(TestDatabase db) throws Exception {
        db.execute("create schema billing", "create schema \"Ledger\"",
                "create table billing.invoices (id bigint primary key, memo text)",
                "create table \"Ledger\".entries (id bigint primary key, memo text)");
        MigrationFiles files = releaseN(db)
                .add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n")
                .add("V3__drop_memo.sql", "ALTER TABLE \"Ledger\".entries DROP COLUMN memo;\n");
        Flyway checked = Flyway.configure()
                .configuration(Map.of("flyway.locksafe.check", "fail", "flyway.locksafe.checkSchemas", "billing,Ledger"))
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations(files.flywayLocation())
                .load();
        assertThatThrownBy(checked::migrate)
                .hasMessageContaining("LockSafe ZDD check failed for V3__drop_memo.sql")
                .hasMessageContaining("B101 drop-column Ledger.entries.memo");
        assertThat(db.hasColumn("orders", "note")).as("public is not checked: V2 applied").isFalse();
        assertThat(historyRows(db, "2")).isOne();
        assertThat(historyRows(db, "3")).isZero();
    }

    @Test
    void aSystemSchemaInCheckSchemasIsAnInputError(TestDatabase db) throws Exception {
        MigrationFiles files = MigrationFiles.create().add("V1__t.sql", "create table t (id int);\n");
        assertThatThrownBy(() -> Flyway.configure()
                .configuration(Map.of("flyway.locksafe.checkSchemas", "public,pg_catalog"))
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations(files.flywayLocation()).load().migrate())
                .hasStackTraceContaining("Invalid LockSafe setting flyway.locksafe.checkSchemas='public,pg_catalog'")
                .hasStackTraceContaining("'pg_catalog' is a PostgreSQL system schema");
        assertThat(db.queryLong("select count(*) from pg_class where relname = 't'")).isZero();
    }

    @Test
    void inWarnModeTheFindingIsLoggedWithItsRecipeAndTheMigrationIsApplied(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "warn").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("V2__drop_note.sql B101 drop-column public.orders.note", "Recipe:",
                            "-- locksafe:allow B101 reason:");
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(historyRows(db, "2")).isOne();
    }

    @Test
    void aColumnAddedAndDroppedInTheSameReleaseIsNotAFinding(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__add_tmp.sql", "ALTER TABLE orders ADD COLUMN tmp text;\n")
                .add("V3__drop_tmp.sql", "ALTER TABLE orders DROP COLUMN tmp;\n")
                .add("V4__new_table.sql", "create table audit (id int, what text);\n"
                        + "create index audit_what_idx on audit (what);\nalter table audit drop column what;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).isEmpty();
        }
        assertThat(historyRows(db, "4")).isOne();
    }

    @Test
    void aNullableColumnAddedAndMadeNotNullInTheSameReleaseFails(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__add_ref.sql", "ALTER TABLE orders ADD COLUMN ref text;\n")
                .add("V3__require_ref.sql", "ALTER TABLE orders ALTER COLUMN ref SET NOT NULL;\n");
        assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                .hasMessageContaining("V3__require_ref.sql B106 set-not-null public.orders.ref");
        assertThat(historyRows(db, "2")).isOne();
        assertThat(historyRows(db, "3")).isZero();
    }

    @Test
    void renamesTypeChangesRequiredColumnsDroppedDefaultsAndEnumLabelsAreErrors(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__many.sql", "ALTER TABLE orders RENAME COLUMN note TO remark;\n"
                + "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;\n"
                + "ALTER TABLE orders ADD COLUMN owner text NOT NULL;\n"
                + "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;\n"
                + "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                    .hasMessageContaining("5 backward-incompatible changes")
                    .hasMessageContaining("B103 rename-column public.orders.note (renamed to remark)")
                    .hasMessageContaining("B105 incompatible-type-change public.orders.qty (integer -> bigint)")
                    .hasMessageContaining("B107 add-required-column public.orders.owner")
                    .hasMessageContaining("B108 drop-default-of-not-null public.orders.status")
                    .hasMessageContaining("B109 enum-label-renamed public.mood 'ok' (renamed to 'fine')");
            // int -> bigint rewrote the table: the lock-heavy warning comes with it
            assertThat(zddLines(log)).anySatisfy(l -> assertThat(l).contains("L201 type-change-rewrite public.orders"));
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(historyRows(db, "2")).isZero();
    }

    @Test
    void anEnumLabelRenamedOnItsOwnIsCaughtThoughTheMigrationLocksNoTable(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__rename_label.sql", "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';\n");
        assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                .hasMessageContaining("B109 enum-label-renamed public.mood 'ok' (renamed to 'fine')");
        assertThat(db.queryLong("select count(*) from pg_enum where enumlabel = 'ok'")).isOne();
    }

    @Test
    void wideningAVarcharIsOnlyInformationAndPasses(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__wider_code.sql",
                "ALTER TABLE orders ALTER COLUMN code TYPE varchar(40);\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("I303 type-widened public.orders.code (character varying(10) -> character varying(40))");
        }
        assertThat(historyRows(db, "2")).isOne();
    }

    @Test
    void droppingTablesAndViewsFailsButAViewRecreatedWithTheSameColumnsPasses(TestDatabase db) throws Exception {
        MigrationFiles same = releaseN(db).add("V2__recreate_view.sql", "DROP VIEW open_orders;\n"
                + "CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status <> 'closed';\n");
        flyway(db, same, "fail").migrate();

        MigrationFiles files = same.add("V3__drop.sql", "DROP VIEW open_orders;\nDROP TABLE orders;\n");
        assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                .hasMessageContaining("B102 drop-relation public.orders (table dropped)")
                .hasMessageContaining("B110 view-changed public.open_orders (view dropped)");
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'orders'")).isOne();
    }

    @Test
    void renamingATableFailsUnlessAViewWithTheOldNameKeepsReleaseNWorking(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__rename.sql", "DROP VIEW open_orders;\n"
                + "ALTER TABLE orders RENAME TO purchases;\n");
        assertThatThrownBy(() -> flyway(db, files, "fail").migrate())
                .hasMessageContaining("B104 rename-relation public.orders (renamed to public.purchases)");

        MigrationFiles shimmed = releaseN(db).add("V2__rename.sql", "DROP VIEW open_orders;\n"
                + "ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;\n"
                + "CREATE VIEW open_orders AS SELECT id, status FROM purchases WHERE status <> 'done';\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, shimmed, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("B104 rename-relation public.orders", "with a view of the old name");
        }
    }

    @Test
    void anAllowMarkerWithAReasonAcceptsTheFindingAndAMarkerWithoutOneIsAnInputError(TestDatabase db) throws Exception {
        MigrationFiles noReason = releaseN(db).add("V2__drop_note.sql",
                "-- locksafe:allow B101\nALTER TABLE orders DROP COLUMN note;\n");
        assertThatThrownBy(() -> flyway(db, noReason, "fail").migrate())
                .hasMessageContaining("the allow marker 'locksafe:allow B101' has no reason");
        assertThat(db.hasColumn("orders", "note")).isTrue();

        MigrationFiles files = MigrationFiles.create().add("V1__release_n.sql", RELEASE_N).add("V2__drop_note.sql",
                "-- locksafe:allow B101 reason: note unused since release 41\nALTER TABLE orders DROP COLUMN note;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("B101 drop-column public.orders.note", "allowed by its marker, reason: note unused since release 41");
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void lockHeavyChangesOnBaselineTablesWarnAndPassWhileTheSameOnNewTablesAreSilent(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__index.sql", "CREATE INDEX orders_qty_idx ON orders (qty);\n")
                .add("V3__not_null.sql", "ALTER TABLE orders ALTER COLUMN qty SET NOT NULL;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log))
                    .anySatisfy(l -> assertThat(l).contains("V2__index.sql L206 non-concurrent-index public.orders_qty_idx"))
                    .anySatisfy(l -> assertThat(l).contains("V3__not_null.sql B106 set-not-null public.orders.qty"));
            if (db.queryLong("select current_setting('server_version_num')::int") >= 150000) {
                // the scan shows in the transaction's own counters even on this empty table
                assertThat(zddLines(log)).hasSize(3).anySatisfy(l -> assertThat(l)
                        .contains("V3__not_null.sql L205 set-not-null-scan public.orders.qty"));
            } else {
                assertThat(zddLines(log)).hasSize(2);
            }
        }
        assertThat(historyRows(db, "3")).isOne();
    }

    /** The scan-based rules need PostgreSQL 15+, which flushes a backend's scan counts on request. */
    private static void assumeScanCountsPerMigration(TestDatabase db) {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.queryLong("select current_setting('server_version_num')::int") >= 150000,
                "L204/L205 are judged from PostgreSQL 15 on");
    }

    @Test
    void aConstraintValidatedUnderItsOwnAddLockIsLockHeavyWhileNotValidThenValidateSeparatelyIsNot(TestDatabase db)
            throws Exception {
        assumeScanCountsPerMigration(db);
        MigrationFiles files = releaseN(db)
                .add("V2__check.sql", "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0);\n")
                .add("V3__check_not_valid.sql", "ALTER TABLE orders ADD CONSTRAINT code_set CHECK (code <> '') NOT VALID;\n")
                .add("V4__validate.sql", "ALTER TABLE orders VALIDATE CONSTRAINT code_set;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("V2__check.sql L204 validation-under-lock public.orders.qty_positive");
        }
        assertThat(historyRows(db, "4")).isOne();
    }

    @Test
    void setNotNullProvedByAValidatedCheckDoesNotScanAndIsNotLockHeavy(TestDatabase db) throws Exception {
        assumeScanCountsPerMigration(db);
        MigrationFiles files = releaseN(db)
                .add("V2__check.sql", "ALTER TABLE orders ADD CONSTRAINT qty_set CHECK (qty IS NOT NULL) NOT VALID;\n")
                .add("V3__validate.sql", "ALTER TABLE orders VALIDATE CONSTRAINT qty_set;\n")
                .add("V4__not_null.sql", "ALTER TABLE orders ALTER COLUMN qty SET NOT NULL;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString().contains("V4__not_null.sql B106 set-not-null");
        }
    }

    @Test
    void aUniqueConstraintBuildingItsOwnIndexIsLockHeavyWhileOneAdoptingAConcurrentIndexIsNot(TestDatabase db)
            throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__unique_code.sql", "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);\n")
                .add("V3__unique_qty_index.sql", "CREATE UNIQUE INDEX CONCURRENTLY orders_qty_key ON orders (qty);\n")
                .add("V4__unique_qty.sql", "ALTER TABLE orders ADD CONSTRAINT orders_qty_key UNIQUE USING INDEX orders_qty_key;\n");
        Flyway flyway = Flyway.configure().configuration(Map.of("flyway.locksafe.check", "fail",
                        "flyway.postgresql.transactional.lock", "false"))
                .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation()).load();
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway.migrate();
            // the index built for the constraint is L207's, not also L206's; V4 adopts V3's index: no finding
            assertThat(zddLines(log)).filteredOn(l -> l.contains(" L20")).singleElement().asString()
                    .contains("V2__unique_code.sql L207 constraint-builds-index public.orders.orders_code_key");
        }
        assertThat(historyRows(db, "4")).isOne();
    }

    @Test
    void twoProductionTablesUnderAccessExclusiveInOneMigrationAreReportedAsInformation(TestDatabase db)
            throws Exception {
        MigrationFiles files = releaseN(db).add("V2__customers.sql", "create table customers (id bigint primary key);\n");
        flyway(db, files, "off").migrate();
        files.add("V3__both.sql", "ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE customers ADD COLUMN b int;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("V3__both.sql L210 multi-table-exclusive public.customers, public.orders (2 tables under ACCESS EXCLUSIVE)");
        }
    }

    /**
     * L209: V2 takes ACCESS EXCLUSIVE on a production table and then works for 2 s under it (a backfill, here a
     * sleep), so every write queues for 2 s; V3 does the same work first and takes the lock last, V4 holds a
     * table of this release: neither is a finding. Timed from the blocker-lookup connection's looks.
     */
    @Test
    void aProductionTableKeptLockedLongerThanCheckMaxExclusiveHoldIsReportedButALockTakenLastIsNot(TestDatabase db)
            throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__add_then_work.sql", "ALTER TABLE orders ADD COLUMN a int;\nSELECT pg_sleep(2);\n")
                .add("V3__work_then_add.sql", "SELECT pg_sleep(2);\nALTER TABLE orders ADD COLUMN b int;\n")
                .add("V4__new_table.sql", "CREATE TABLE drafts (id int);\nLOCK TABLE drafts IN ACCESS EXCLUSIVE MODE;\n"
                        + "SELECT pg_sleep(2);\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            Flyway.configure()
                    .configuration(Map.of("flyway.locksafe.check", "fail", "flyway.locksafe.checkMaxExclusiveHold", "800ms"))
                    .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation())
                    .load().migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("V2__add_then_work.sql L209 long-exclusive-hold public.orders (ACCESS EXCLUSIVE held for at least")
                    .contains(", over checkMaxExclusiveHold=0.8 s)")
                    .contains("take the strong lock in a short migration of its own");
        }
        assertThat(historyRows(db, "4")).isOne(); // a warning: every migration applied
    }

    @Test
    void withTheBlockerLookupOffLongHoldsAreNotTimedAndNothingElseChanges(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__add_then_work.sql", "ALTER TABLE orders ADD COLUMN a int;\nSELECT pg_sleep(1);\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            Flyway.configure()
                    .configuration(Map.of("flyway.locksafe.check", "fail", "flyway.locksafe.checkMaxExclusiveHold", "100ms",
                            "flyway.locksafe.logBlockers", "false"))
                    .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation())
                    .load().migrate();
            assertThat(zddLines(log)).isEmpty();
        }
        assertThat(historyRows(db, "2")).isOne();
    }

    /** A Java migration: no SQL text to read, the same judgement from the catalog. */
    public static class V2__DropNote extends BaseJavaMigration {
        @Override
        public void migrate(Context context) throws Exception {
            try (Statement st = context.getConnection().createStatement()) {
                st.execute("ALTER TABLE orders DROP COLUMN note");
            }
        }
    }

    @Test
    void aJavaMigrationIsJudgedFromTheCatalogToo(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db);
        Flyway flyway = Flyway.configure().configuration(Map.of("flyway.locksafe.check", "fail"))
                .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation())
                .javaMigrations(new V2__DropNote()).load();
        assertThatThrownBy(flyway::migrate).hasMessageContaining("B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(historyRows(db, "2")).isZero();
    }

    @Test
    void aMigrationRetriedBehindABlockerIsJudgedOnceOnItsSuccessfulAttempt(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> released = report.releaseWhen(() -> !log.messagesContaining("attempt 1/").isEmpty());
            flyway(db, files, "warn").migrate();
            released.join();
            assertThat(zddLines(log)).singleElement().asString().contains("B101 drop-column public.orders.note");
        }
        assertThat(historyRows(db, "2")).isOne();
    }

    @Test
    void aNonTransactionalMigrationIsSaidToBeUncheckedAndItsChangesAreNotBlamedOnTheNextOne(TestDatabase db)
            throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__drop_note_outside_tx.sql", "ALTER TABLE orders DROP COLUMN note;\n")
                .add("V2__drop_note_outside_tx.sql.conf", "executeInTransaction=false\n")
                .add("V3__add_memo.sql", "ALTER TABLE orders ADD COLUMN memo text;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "fail").migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("V2__drop_note_outside_tx.sql runs outside a transaction", "was not checked");
        }
        assertThat(historyRows(db, "3")).isOne();
    }

    @Test
    void checkAllowAcceptsAJavaMigrationsFindingByRuleAndObject(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db);
        Flyway flyway = Flyway.configure().configuration(Map.of("flyway.locksafe.check", "fail",
                        "flyway.locksafe.checkAllow", "B101:public.orders.*"))
                .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation())
                .javaMigrations(new V2__DropNote()).load();
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway.migrate();
            assertThat(zddLines(log)).singleElement().asString()
                    .contains("B101 drop-column public.orders.note", "allowed by its marker, reason: checkAllow B101:public.orders.*");
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void checkSeverityMakesARuleAnErrorOrTurnsItOff(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db)
                .add("V2__index.sql", "CREATE INDEX orders_qty_idx ON orders (qty);\n")
                .add("V3__not_null.sql", "ALTER TABLE orders ALTER COLUMN qty SET NOT NULL;\n");
        Flyway flyway = Flyway.configure().configuration(Map.of("flyway.locksafe.check", "fail",
                        "flyway.locksafe.checkSeverity", "B106:error, L206:off"))
                .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation()).load();
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            assertThatThrownBy(flyway::migrate).hasMessageContaining("V3__not_null.sql B106 set-not-null public.orders.qty");
            assertThat(zddLines(log)).noneMatch(l -> l.contains("L206"));
        }
        assertThat(historyRows(db, "2")).isOne();
        assertThat(historyRows(db, "3")).isZero();
    }

    @Test
    void checkReportWritesAJsonAndAJunitReportThatMatchTheFindings(TestDatabase db) throws Exception {
        java.nio.file.Path reports = java.nio.file.Files.createTempDirectory("zdd-reports").resolve("zdd");
        MigrationFiles files = releaseN(db)
                .add("V2__add_memo.sql", "ALTER TABLE orders ADD COLUMN memo text;\n")
                .add("V3__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        Flyway flyway = Flyway.configure().configuration(Map.of("flyway.locksafe.check", "fail",
                        "flyway.locksafe.checkReport", reports.toString()))
                .dataSource(db.jdbcUrl(), db.user(), db.password()).locations(files.flywayLocation()).load();
        assertThatThrownBy(flyway::migrate).hasMessageContaining("B101");
        String json = java.nio.file.Files.readString(reports.resolve("locksafe-zdd.json"));
        assertThat(json).contains("\"tool\": \"flyway\"", "\"mode\": \"fail\"",
                "\"id\": \"V2__add_memo.sql\", \"judged\": true, \"findings\": []",
                "\"id\": \"V3__drop_note.sql\"", "\"rule\": \"B101\"", "\"object\": \"public.orders.note\"",
                "\"summary\": {\"errors\": 1");
        org.w3c.dom.Document junit = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(reports.resolve("locksafe-zdd-junit.xml").toFile());
        assertThat(junit.getDocumentElement().getAttribute("tests")).isEqualTo("2");
        assertThat(junit.getDocumentElement().getAttribute("failures")).isEqualTo("1");
        assertThat(junit.getElementsByTagName("failure").item(0).getAttributes().getNamedItem("type").getNodeValue())
                .isEqualTo("B101");
    }

    @Test
    void whenTheCheckCannotReadTheCatalogWarnModeMigratesAndFailModeRollsBack(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        // a maintenance session holds a catalog the check reads (as VACUUM FULL pg_enum would): the check's
        // reads give up after their own 2 s lock_timeout, under a savepoint, and the migration is not held.
        // A connection's start-up can read pg_enum too (always on PostgreSQL 18, on 17 when it rebuilds the
        // relcache init file), so Flyway gets connections opened before the lock, and the test opens none
        // while it is held.
        try (PreOpened connections = new PreOpened(db, 4)) {
            try (BlockingSession maintenance = BlockingSession.hold(db, "pg_catalog.pg_enum", "ACCESS EXCLUSIVE",
                    "catalog-maintenance")) {
                assertThatThrownBy(() -> flyway(connections, files, "fail").migrate())
                        .hasMessageContaining("LockSafe ZDD: the check of the baseline failed")
                        .hasMessageContaining("check=fail: the migration was rolled back");
            }
            assertThat(db.hasColumn("orders", "note")).isTrue();
            try (BlockingSession maintenance = BlockingSession.hold(db, "pg_catalog.pg_enum", "ACCESS EXCLUSIVE",
                    "catalog-maintenance");
                 LogCapture log = LogCapture.of("dev.locksafe")) {
                flyway(connections, files, "warn").migrate();
                assertThat(zddLines(log)).anySatisfy(l -> assertThat(l)
                        .contains("the check of the baseline failed", "lock timeout", "goes on unchecked (check=warn)"));
            }
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(historyRows(db, "2")).isOne();
    }

    private static Flyway flyway(PreOpened connections, MigrationFiles files, String check) {
        return Flyway.configure()
                .configuration(Map.of("flyway.locksafe.check", check, "flyway.locksafe.lockTimeout", "200ms"))
                .dataSource(connections)
                .locations(files.flywayLocation())
                .load();
    }

    /**
     * A data source handing out connections opened when it was made; a closed one goes back (rolled back, in
     * autocommit) for the next caller. Opens a new one only when all are out.
     */
    private static final class PreOpened extends org.postgresql.ds.PGSimpleDataSource implements AutoCloseable {
        private final java.util.Deque<java.sql.Connection> idle = new java.util.concurrent.LinkedBlockingDeque<>();
        private final List<java.sql.Connection> all = new java.util.concurrent.CopyOnWriteArrayList<>();

        PreOpened(TestDatabase db, int count) throws java.sql.SQLException {
            setUrl(db.jdbcUrl());
            setUser(db.user());
            setPassword(db.password());
            for (int i = 0; i < count; i++) {
                java.sql.Connection c = open();
                all.add(c);
                idle.add(c);
            }
        }

        @Override
        public java.sql.Connection getConnection() throws java.sql.SQLException {
            java.sql.Connection c = idle.poll();
            if (c == null) {
                c = open();
                all.add(c);
            }
            java.sql.Connection real = c;
            return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {java.sql.Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            if (!real.getAutoCommit()) {
                                real.rollback();
                                real.setAutoCommit(true);
                            }
                            idle.add(real);
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private java.sql.Connection open() throws java.sql.SQLException {
            return super.getConnection(getUser(), getPassword());
        }

        @Override
        public void close() throws java.sql.SQLException {
            for (java.sql.Connection c : all) {
                c.close();
            }
        }
    }

    @Test
    void checkOffRunsNoCatalogQueryAndReportsNothing(TestDatabase db) throws Exception {
        MigrationFiles files = releaseN(db).add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            flyway(db, files, "off").migrate();
            assertThat(zddLines(log)).isEmpty();
        }
        assertThat(historyRows(db, "2")).isOne();
    }
}
