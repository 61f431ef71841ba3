package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class LiquibaseUpdateTest {

    /** How long the report holds its lock once the migration queued behind it. */
    private static final Duration BLOCKER_HOLD = Duration.ofSeconds(5);

    private static final String XML_HEAD = "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n"
            + "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
            + "  xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
            + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd\">\n";

    private static final String ADD_NOTE_SQL = "--liquibase formatted sql\n"
            + "--changeset dev:add-note\n"
            + "ALTER TABLE orders ADD COLUMN note text;\n";

    private static Map<String, String> fastRetries() {
        Map<String, String> s = new HashMap<>();
        s.put("liquibase.locksafe.lockTimeout", "200ms");
        s.put("liquibase.locksafe.initialBackoff", "200ms");
        s.put("liquibase.locksafe.maxBackoff", "1s");
        s.put("liquibase.locksafe.maxAttempts", "30");
        return s;
    }

    private static void ordersTable(TestDatabase db) {
        db.execute("create table orders (id bigint primary key, status text)",
                "insert into orders select g, 'new' from generate_series(1, 1000) g");
    }

    private static long changelogRows(TestDatabase db, String id) {
        return db.queryLong("select count(*) from databasechangelog where id = '" + id + "'");
    }

    @Test
    void blockedChangesetIsRetriedUntilTheBlockerEndsAndTheApplicationIsNeverHeldUp(TestDatabase db) throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", ADD_NOTE_SQL);
        long worst;
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             AppLoad app = AppLoad.start(db, "select status from orders where id = 7")) {
            await().until(() -> app.queries() > 0);
            report.releaseAfterWaitedFor(BLOCKER_HOLD);
            liquibase.update("changelog.sql", fastRetries());
            worst = app.worstMillis();
            assertThat(liquibase.console())
                    .contains("LockSafe: changelog.sql::add-note::dev attempt 1/30 failed", "SQLSTATE 55P03",
                            "lock_timeout 200ms", "ALTER TABLE orders ADD COLUMN note text",
                            "pid=" + report.pid(), "app=report-job",
                            "LockSafe: changelog.sql::add-note::dev succeeded on attempt");
        }
        assertThat(changelogRows(db, "add-note")).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
        // the product's claim: about one lock_timeout (200 ms), with room for a busy 2-core machine
        assertThat(worst).as("slowest application query (ms)").isLessThan(200 + 400);
    }

    /**
     * {@code runInTransaction:false}: Liquibase generates two SQL statements for a column with a foreign key,
     * each committed on its own. The second (which locks the referenced table) times out behind a writer
     * of {@code customers}; the retry must run only it, not the committed {@code ADD} again ("column
     * already exists").
     */
    @Test
    void outsideATransactionOnlyTheGeneratedStatementThatTimedOutIsRetried(TestDatabase db) throws Exception {
        db.execute("create table customers (id bigint primary key)", "insert into customers values (1)",
                "create table orders (id bigint primary key)");
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.xml", XML_HEAD
                + "  <changeSet id=\"customer\" author=\"dev\" runInTransaction=\"false\">\n"
                + "    <addColumn tableName=\"orders\">\n"
                + "      <column name=\"customer_id\" type=\"bigint\">\n"
                + "        <constraints foreignKeyName=\"fk_orders_customer\" references=\"customers(id)\"/>\n"
                + "      </column>\n"
                + "    </addColumn>\n"
                + "  </changeSet>\n"
                + "</databaseChangeLog>\n");
        try (BlockingSession writer = BlockingSession.hold(db, "customers", "ROW EXCLUSIVE", "customer-writer")) {
            CompletableFuture<Void> released = writer.releaseOnceAWaiterGaveUp();
            liquibase.update("changelog.xml", fastRetries());
            released.get(30, TimeUnit.SECONDS);
            assertThat(liquibase.console())
                    .contains("changelog.xml::customer::dev attempt 1/30 failed", "FOREIGN KEY", "app=customer-writer")
                    .doesNotContain("already exists");
        }
        assertThat(db.hasColumn("orders", "customer_id")).isTrue();
        assertThat(db.queryLong("select count(*) from pg_constraint where conname = 'fk_orders_customer'")).isOne();
        assertThat(changelogRows(db, "customer")).isOne();
    }

    /**
     * {@code runInTransaction:false, splitStatements:false}: two statements sent as one text are one
     * implicit transaction in PostgreSQL (pgjdbc sends them in one round trip). When the second times out,
     * the first is rolled back with it, so the retry of the whole text applies the first once.
     */
    @Test
    void outsideATransactionOneTextWithTwoStatementsIsAtomicSoItsRetryAppliesEachOnce(TestDatabase db)
            throws Exception {
        ordersTable(db);
        db.execute("create table audit (id int)");
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", "--liquibase formatted sql\n"
                + "--changeset dev:audited runInTransaction:false splitStatements:false\n"
                + "INSERT INTO audit VALUES (1); ALTER TABLE orders ADD COLUMN note text;\n");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> released = report.releaseOnceAWaiterGaveUp();
            liquibase.update("changelog.sql", fastRetries());
            released.get(30, TimeUnit.SECONDS);
            assertThat(liquibase.console()).contains("changelog.sql::audited::dev attempt 1/30 failed");
        }
        assertThat(db.queryLong("select count(*) from audit")).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void withoutLockSafeTheSameChangesetHoldsTheApplicationUpForAsLongAsTheBlocker(TestDatabase db)
            throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", ADD_NOTE_SQL);
        long worst;
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             AppLoad app = AppLoad.start(db, "select status from orders where id = 7")) {
            await().until(() -> app.queries() > 0);
            report.releaseAfterWaitedFor(BLOCKER_HOLD);
            liquibase.update("changelog.sql", Map.of("liquibase.locksafe.enabled", "false"));
            worst = app.worstMillis();
            assertThat(liquibase.console()).doesNotContain("LockSafe");
        }
        // the blocker's 5 s count from when the migration queued, so the plain tool queues for all of them
        assertThat(worst).as("slowest application query (ms)").isGreaterThan(BLOCKER_HOLD.toMillis() - 1_000);
        assertThat(changelogRows(db, "add-note")).isOne();
    }

    @Test
    void retriedChangesetRunsAgainFromItsFirstChangeWithoutDuplicates(TestDatabase db) throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.xml", XML_HEAD
                + "  <changeSet id=\"two-changes\" author=\"dev\">\n"
                + "    <createTable tableName=\"notes\"><column name=\"id\" type=\"int\"/></createTable>\n"
                + "    <insert tableName=\"notes\"><column name=\"id\" valueNumeric=\"1\"/></insert>\n"
                + "    <addColumn tableName=\"orders\"><column name=\"note\" type=\"text\"/></addColumn>\n"
                + "  </changeSet>\n</databaseChangeLog>\n");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            CompletableFuture<Void> released = report.releaseWhen(() -> liquibase.console().contains("attempt 2/30 failed"));
            liquibase.update("changelog.xml", fastRetries());
            released.join();
        }
        assertThat(db.queryLong("select count(*) from notes")).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(changelogRows(db, "two-changes")).isOne();
    }

    @Test
    void exhaustedChangesetFailsWithLockSafesMessageLeavesNoTraceAndAppliesOnTheNextUpdate(TestDatabase db)
            throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.yaml", "databaseChangeLog:\n"
                + "  - changeSet:\n"
                + "      id: add-note\n"
                + "      author: dev\n"
                + "      changes:\n"
                + "        - createTable:\n"
                + "            tableName: notes\n"
                + "            columns:\n"
                + "              - column: {name: id, type: int}\n"
                + "        - addColumn:\n"
                + "            tableName: orders\n"
                + "            columns:\n"
                + "              - column: {name: note, type: text}\n");
        Map<String, String> settings = fastRetries();
        settings.put("liquibase.locksafe.maxAttempts", "3");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            assertThatThrownBy(() -> liquibase.update("changelog.yaml", settings))
                    .hasStackTraceContaining("LockSafe: changelog.yaml::add-note::dev gave up after 3 attempts")
                    .hasStackTraceContaining("app=report-job");
            assertThat(db.queryLong("select count(*) from databasechangelog")).isZero();
            assertThat(db.hasColumn("orders", "note")).isFalse();
            assertThat(db.queryLong("select count(*) from pg_class where relname = 'notes'")).isZero();
        }
        liquibase.update("changelog.yaml", settings);
        assertThat(changelogRows(db, "add-note")).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void concurrentIndexInANonTransactionalChangesetIsRetriedWithoutInvalidLeftovers(TestDatabase db)
            throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", "--liquibase formatted sql\n"
                + "--changeset dev:status-index runInTransaction:false\n"
                + "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n");
        try (BlockingSession writer = BlockingSession.hold(db, "orders", "ROW EXCLUSIVE", "open-writer")) {
            CompletableFuture<Void> released = writer.releaseWhen(() -> liquibase.console().contains("attempt 1/30 failed"));
            liquibase.update("changelog.sql", fastRetries());
            released.join();
            assertThat(liquibase.console()).contains("CREATE INDEX CONCURRENTLY orders_status_idx", "app=open-writer");
        }
        assertThat(db.queryColumn("select c.relname || ':' || i.indisvalid from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid where i.indrelid = 'orders'::regclass order by 1"))
                .containsExactly("orders_pkey:true", "orders_status_idx:true");
        assertThat(changelogRows(db, "status-index")).isOne();
    }

    @Test
    void invalidSettingStopsUpdateBeforeAnyChangesetRuns(TestDatabase db) {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", ADD_NOTE_SQL);
        assertThatThrownBy(() -> liquibase.update("changelog.sql", Map.of("liquibase.locksafe.lockTimeout", "soon")))
                .hasStackTraceContaining("Invalid LockSafe setting liquibase.locksafe.lockTimeout='soon': expected a duration");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void settingsComeFromSystemProperties(TestDatabase db) throws Exception {
        ordersTable(db);
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", ADD_NOTE_SQL);
        System.setProperty("liquibase.locksafe.maxAttempts", "2");
        System.setProperty("liquibase.locksafe.lockTimeout", "100ms");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            assertThatThrownBy(() -> liquibase.update("changelog.sql", Map.of()))
                    .hasStackTraceContaining("gave up after 2 attempts")
                    .hasStackTraceContaining("with lock_timeout 100ms");
        } finally {
            System.clearProperty("liquibase.locksafe.maxAttempts");
            System.clearProperty("liquibase.locksafe.lockTimeout");
        }
    }

}
