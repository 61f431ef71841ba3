package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A password in the JDBC URL, retries with blockers, an exhausted migration: no log line shows it. */
@ExtendWith(PostgresExtension.class)
class SecretsInLogsTest {

    @Test
    void passwordInTheJdbcUrlNeverReachesALogLineOrAnError(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        String secret = db.password();
        String url = db.jdbcUrl() + "?user=" + db.user() + "&password=" + secret;
        MigrationFiles files = MigrationFiles.create().add("V1__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
        Throwable failure;
        try (LogCapture all = LogCapture.of("ROOT");
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            failure = org.assertj.core.api.Assertions.catchThrowable(() -> Flyway.configure()
                    .configuration(Map.of("flyway.locksafe.lockTimeout", "100ms", "flyway.locksafe.maxAttempts", "2",
                            "flyway.locksafe.initialBackoff", "50ms"))
                    .dataSource(url, null, null).baselineOnMigrate(true).baselineVersion("0")
                    .locations(files.flywayLocation()).load().migrate());
            assertThat(all.messagesContaining("attempt 1/2 failed")).as(String.valueOf(failure)).singleElement().asString().contains("app=report-job");
            assertThat(all.messages()).noneMatch(m -> m.contains("password=" + secret))
                    .noneMatch(m -> m.contains(":" + secret + "@"));
        }
        assertThat(failure).hasMessageContaining("gave up after 2 attempts");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("password=" + secret);
        }
    }
}
