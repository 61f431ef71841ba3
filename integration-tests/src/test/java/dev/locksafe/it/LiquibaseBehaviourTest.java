package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.locksafe.ConnectionSource;
import dev.locksafe.Registration;
import dev.locksafe.liquibase.ProbeConnections;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.DirectoryResourceAccessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What Liquibase does besides update, with LockSafe on the classpath: nothing different. */
@ExtendWith(PostgresExtension.class)
class LiquibaseBehaviourTest {

    private static final String CHANGELOG = "--liquibase formatted sql\n"
            + "--changeset dev:orders\n"
            + "create table orders (id bigint primary key);\n"
            + "--rollback drop table orders;\n"
            + "--changeset dev:note context:prod\n"
            + "ALTER TABLE orders ADD COLUMN note text;\n"
            + "--rollback ALTER TABLE orders DROP COLUMN note;\n"
            + "--changeset dev:guarded\n"
            + "--preconditions onFail:MARK_RAN\n"
            + "--precondition-sql-check expectedResult:1 select count(*) from pg_class where relname = 'nope'\n"
            + "create table never (id int);\n";

    @Test
    void connectionKeepsItsOwnLockTimeoutAfterUpdate(TestDatabase db) throws Exception {
        LiquibaseRunner files = new LiquibaseRunner(db).file("changelog.sql", CHANGELOG);
        try (Connection c = db.connect()) {
            Sql.exec(c, "set lock_timeout = '3s'");
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(files.dir()),
                    "liquibase.locksafe.lockTimeout", "250ms"), () -> new CommandScope("update")
                    .addArgumentValue("database", database)
                    .addArgumentValue("changelogFile", "changelog.sql")
                    .execute());
            assertThat(Sql.string(c, "show lock_timeout")).isEqualTo("3s");
            assertThat(Sql.string(c, "show statement_timeout")).isEqualTo("0");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    /**
     * Liquibase handed an open connection (a {@code DataSource} outside Spring): LockSafe cannot open a second
     * connection, so it sees no blockers, but it names the statement that timed out from what Liquibase sent.
     */
    @Test
    void onAHandedOverConnectionTheRetryLineStillNamesTheStatement(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        String firstFailure = firstFailedAttemptOnAHandedOverConnection(db, "note",
                "-- Licensed under the Apache License, Version 2.0\n", Map.of());
        assertThat(firstFailure).contains("Statement: ALTER TABLE orders ADD COLUMN note text. Blocked by: none seen");
    }

    /**
     * The Maven plugin's case in process: Liquibase handed an open connection, and the plugin's configuration
     * published in the scope. Its credentials are used for the blocker lookup only when its URL and user are
     * the migrating connection's; configured for another database, they are not used.
     */
    @Test
    void theMavenPluginsConfigurationOpensTheLookupOnlyForItsOwnDatabase(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        String otherDatabase = db.jdbcUrl().replace("/" + db.name(), "/postgres");
        assertThat(firstFailedAttemptOnAHandedOverConnection(db, "a", "", mavenPlugin(db, otherDatabase)))
                .contains("Blocked by: none seen");
        assertThat(firstFailedAttemptOnAHandedOverConnection(db, "b", "", mavenPlugin(db, db.jdbcUrl())))
                .contains("Blocked by: [pid=", "app=report-job");
    }

    /** What the Liquibase Maven plugin publishes in the scope when configured with {@code url}. */
    private static Map<String, Object> mavenPlugin(TestDatabase db, String url) {
        return Map.of("mavenConfigurationProperties",
                Map.of("url", url, "username", db.user(), "password", db.password()));
    }

    /**
     * Runs a changeset adding column {@code column} to {@code orders} (after {@code comment}) through Liquibase
     * handed an open connection, with {@code scope} added to Liquibase's scope, while another session holds the
     * table until the first attempt has failed; returns that attempt's line.
     */
    private static String firstFailedAttemptOnAHandedOverConnection(TestDatabase db, String column, String comment,
                                                                   Map<String, Object> scope) throws Exception {
        LiquibaseRunner files = new LiquibaseRunner(db).file("changelog.sql", "--liquibase formatted sql\n"
                + "--changeset dev:" + column + "\n" + comment
                + "ALTER TABLE orders ADD COLUMN " + column + " text;\n");
        Map<String, Object> values = new java.util.HashMap<>(scope);
        values.putAll(Map.of(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(files.dir()),
                "liquibase.locksafe.maxAttempts", "50", "liquibase.locksafe.initialBackoff", "50ms"));
        try (JulCapture log = JulCapture.start();
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             Connection c = db.connect()) {
            report.releaseWhen(() -> !log.messagesContaining("attempt 1/50 failed").isEmpty());
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            Scope.child(values, () -> new CommandScope("update")
                    .addArgumentValue("database", database)
                    .addArgumentValue("changelogFile", "changelog.sql")
                    .execute());
            assertThat(db.hasColumn("orders", column)).isTrue();
            List<String> firstFailures = log.messagesContaining("attempt 1/50 failed");
            assertThat(firstFailures).hasSize(1); // one line per event
            return firstFailures.get(0);
        }
    }

    /**
     * Liquibase handed an open connection, its data source registered on first use (as the Quarkus and
     * Micronaut integrations register theirs, before they can connect): the retry line names the blocking
     * session. Another registered source that never opens (a pool with no free connection) holds the run up
     * for a bounded moment only, where it once held it (and the locks of the changeset) forever.
     */
    @Test
    void aDataSourceRegisteredOnFirstUseNamesTheBlockerAndOneThatHangsDoesNotStallTheRun(TestDatabase db)
            throws Exception {
        LiquibaseRunner files = new LiquibaseRunner(db).file("changelog.sql", "--liquibase formatted sql\n"
                + "--changeset dev:note\n"
                + "ALTER TABLE orders ADD COLUMN note text;\n");
        db.execute("create table orders (id bigint primary key)");
        CountDownLatch never = new CountDownLatch(1);
        ConnectionSource hanging = () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("never opened");
        };
        DataSource application = db.dataSource();
        try (Registration stuck = ProbeConnections.registerOnFirstUse(hanging);
             Registration app = ProbeConnections.registerOnFirstUse(ConnectionSource.of(application));
             JulCapture log = JulCapture.start();
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job");
             Connection c = application.getConnection()) {
            report.releaseWhen(() -> !log.messagesContaining("attempt 1/50 failed").isEmpty());
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Scope.child(Map.of(
                    Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(files.dir()),
                    "liquibase.locksafe.maxAttempts", "50", "liquibase.locksafe.initialBackoff", "50ms"),
                    () -> new CommandScope("update")
                            .addArgumentValue("database", database)
                            .addArgumentValue("changelogFile", "changelog.sql")
                            .execute()));
            assertThat(log.messagesContaining("attempt 1/50 failed")).singleElement().asString()
                    .contains("Statement: ALTER TABLE orders ADD COLUMN note text. Blocked by: [pid=" + report.pid(),
                            "app=report-job");
        } finally {
            never.countDown();
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void updateSqlStatusContextsPreconditionsAndRollbackBehaveAsWithoutLockSafe(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql", CHANGELOG);

        ByteArrayOutputStream sqlOut = new ByteArrayOutputStream();
        Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(liquibase.dir())),
                () -> new CommandScope("updateSql")
                        .addArgumentValue("url", db.jdbcUrl()).addArgumentValue("username", db.user())
                        .addArgumentValue("password", db.password()).addArgumentValue("changelogFile", "changelog.sql")
                        .setOutput(new PrintStream(sqlOut, true, StandardCharsets.UTF_8))
                        .execute());
        assertThat(sqlOut.toString(StandardCharsets.UTF_8))
                .contains("ALTER TABLE orders ADD COLUMN note text")
                .doesNotContain("lock_timeout", "set_config");
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'orders'")).isZero();

        Map<String, String> settings = new HashMap<>();
        settings.put("liquibase.locksafe.lockTimeout", "250ms");
        Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(liquibase.dir()),
                "liquibase.locksafe.lockTimeout", "250ms"), () -> new CommandScope("update")
                .addArgumentValue("url", db.jdbcUrl()).addArgumentValue("username", db.user())
                .addArgumentValue("password", db.password()).addArgumentValue("changelogFile", "changelog.sql")
                .addArgumentValue("contextFilter", "test")
                .execute());
        assertThat(db.hasColumn("orders", "note")).as("context prod filtered out").isFalse();
        assertThat(db.queryColumn("select id || ':' || exectype from databasechangelog order by orderexecuted"))
                .containsExactly("orders:EXECUTED", "guarded:MARK_RAN");

        liquibase.run("status", "changelog.sql", settings);
        liquibase.update("changelog.sql", settings);
        assertThat(db.hasColumn("orders", "note")).isTrue();

        Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(liquibase.dir())),
                () -> new CommandScope("rollbackCount")
                        .addArgumentValue("url", db.jdbcUrl()).addArgumentValue("username", db.user())
                        .addArgumentValue("password", db.password()).addArgumentValue("changelogFile", "changelog.sql")
                        .addArgumentValue("count", 1)
                        .execute());
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from databasechangeloglock where locked")).isZero();
    }

    /** A custom task: replaying it would run its side effect twice. */
    public static class AuditTask implements liquibase.change.custom.CustomTaskChange {
        @Override
        public void execute(Database database) {
        }

        @Override
        public String getConfirmationMessage() {
            return "audited";
        }

        @Override
        public void setUp() {
        }

        @Override
        public void setFileOpener(liquibase.resource.ResourceAccessor resourceAccessor) {
        }

        @Override
        public liquibase.exception.ValidationErrors validate(Database database) {
            return new liquibase.exception.ValidationErrors();
        }
    }

    @Test
    void changesetWithACustomTaskRunsOnceWithLockTimeoutInsteadOfBeingReplayed(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.xml",
                "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n"
                        + "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                        + "  xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
                        + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd\">\n"
                        + "  <changeSet id=\"audited\" author=\"dev\">\n"
                        + "    <customChange class=\"" + AuditTask.class.getName() + "\"/>\n"
                        + "    <addColumn tableName=\"orders\"><column name=\"note\" type=\"text\"/></addColumn>\n"
                        + "  </changeSet>\n</databaseChangeLog>\n");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> liquibase.update("changelog.xml", Map.of("liquibase.locksafe.lockTimeout", "200ms")))
                    .hasStackTraceContaining("gave up after 1 attempt");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }
}
