package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a retry log line shows when migration names and statements are unusual: Unicode is kept, a
 * statement is cut to 200 characters on one line, a semicolon inside a string does not split it, and
 * control characters (a forged line break, a terminal colour code) are shown escaped.
 */
@ExtendWith(PostgresExtension.class)
class LogLinesTest {

    /** Over 300 characters, with Unicode, a semicolon in a string and an ESC character. */
    private static final String STATEMENT = "ALTER TABLE orders ADD COLUMN \"заметка 📝\" text\n"
            + "    DEFAULT 'a;b \u001b[31mred' || '" + "x".repeat(300) + "';";

    private static final Map<String, String> FAST = Map.of("lockTimeout", "100ms", "initialBackoff", "50ms",
            "maxBackoff", "100ms", "jitter", "0", "maxAttempts", "50");

    private static void assertSafeRetryLine(List<String> retryLines, String unitId) {
        assertThat(retryLines).isNotEmpty();
        String line = retryLines.get(0);
        assertThat(line).contains("LockSafe: " + unitId + " attempt 1/50 failed")
                .doesNotContain("\n", "\r", "\u001b")
                .contains("Statement: ALTER TABLE orders ADD COLUMN \"заметка 📝\" text DEFAULT 'a;b \\u001B[31mred' || 'xxx")
                .contains("xxx...");
        String statement = line.substring(line.indexOf("Statement: ") + "Statement: ".length(), line.indexOf(". Blocked by"));
        assertThat(statement).hasSizeLessThanOrEqualTo(203);
    }

    @Test
    void flywayRetryLineKeepsUnicodeNamesAndShowsTheStatementShortAndSafe(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        MigrationFiles files = MigrationFiles.create().add("V1__ajouter_la_note_📝.sql", STATEMENT);
        try (LogCapture log = LogCapture.of("dev.locksafe");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            var released = report.releaseWhen(() -> !log.messagesContaining("attempt 1/50 failed").isEmpty());
            Map<String, String> config = new java.util.HashMap<>();
            FAST.forEach((k, v) -> config.put("flyway.locksafe." + k, v));
            Flyway.configure().configuration(config).dataSource(db.jdbcUrl(), db.user(), db.password())
                    .baselineOnMigrate(true).baselineVersion("0").locations(files.flywayLocation()).load().migrate();
            released.join();
            assertSafeRetryLine(log.messagesContaining("attempt 1/50 failed"), "V1__ajouter_la_note_📝.sql");
        }
        assertThat(db.queryString("select column_default from information_schema.columns where column_name = 'заметка 📝'"))
                .contains("a;b \u001b[31mred");
    }

    @Test
    void liquibaseRetryLineKeepsUnicodeIdsAndShowsTheStatementShortAndSafe(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("changelog.sql",
                "--liquibase formatted sql\n--changeset dév:ajouter-📝\n" + STATEMENT + "\n");
        Map<String, String> scope = new java.util.HashMap<>();
        FAST.forEach((k, v) -> scope.put("liquibase.locksafe." + k, v));
        try (JulCapture log = JulCapture.start();
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            var released = report.releaseWhen(() -> !log.messagesContaining("attempt 1/50 failed").isEmpty());
            liquibase.update("changelog.sql", scope);
            released.join();
            assertSafeRetryLine(log.messagesContaining("attempt 1/50 failed"), "changelog.sql::ajouter-📝::dév");
        }
        assertThat(db.hasColumn("orders", "заметка 📝")).isTrue();
    }
}
