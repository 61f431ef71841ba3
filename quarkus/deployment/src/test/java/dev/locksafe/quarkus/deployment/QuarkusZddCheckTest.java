package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.locksafe.check.ZddCheckFailedException;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.locksafe.check=fail}: a migration at start that drops a column production code still uses
 * is rolled back and stops the start, with the finding and its recipe.
 */
class QuarkusZddCheckTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusZddCheckTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = DATABASE.droppingAProductionColumnAtStart()
            .overrideConfigKey("quarkus.locksafe.check", "fail")
            .assertException(thrown -> {
                Throwable cause = thrown;
                // by name: the application's classes come from its own class loader
                while (cause != null && !cause.getClass().getName().equals(ZddCheckFailedException.class.getName())) {
                    cause = cause.getCause();
                }
                assertThat(cause).as("a ZddCheckFailedException in %s", thrown).isNotNull();
                assertThat(cause.getMessage()).contains("V1__drop_note.sql", "B101 drop-column public.accounts.note");
                // rolled back: the column is still there and Flyway recorded no success
                assertThat(DATABASE.db.hasColumn("accounts", "note")).isTrue();
                assertThat(DATABASE.db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE version = '1'"
                        + " AND success")).isZero();
            });

    @Test
    void startFails() {
        fail("the application must not start");
    }
}
