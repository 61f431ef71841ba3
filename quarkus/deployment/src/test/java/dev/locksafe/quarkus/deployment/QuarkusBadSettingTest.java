package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.quarkus.test.QuarkusUnitTest;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A bad {@code quarkus.locksafe.*} value stops the start with LockSafe's message, before any migration. */
class QuarkusBadSettingTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusBadSettingTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = DATABASE
            .application(jar -> jar.addAsResource(new org.jboss.shrinkwrap.api.asset.StringAsset(
                    "CREATE TABLE never_created (id int);\n"), "db/migration/V1__create.sql"))
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
            .overrideConfigKey("quarkus.locksafe.lock-timeout", "1s; DROP TABLE x")
            .assertException(thrown -> {
                Throwable cause = thrown;
                while (cause != null && !(cause.getMessage() != null
                        && cause.getMessage().startsWith("Invalid LockSafe setting"))) {
                    cause = cause.getCause();
                }
                if (cause == null) {
                    fail("no LockSafe message in", thrown);
                }
                assertThat(cause).hasMessageStartingWith("Invalid LockSafe setting"
                        + " quarkus.locksafe.lock-timeout='1s; DROP TABLE x': expected a duration such as 250ms");
                // stopped before the migration: Flyway never created its history
                Assertions.assertThat(DATABASE.db.queryLong(
                        "SELECT count(*) FROM pg_tables WHERE tablename IN ('flyway_schema_history', 'never_created')"))
                        .isZero();
            });

    @Test
    void startFails() {
        fail("the application must not start");
    }
}
