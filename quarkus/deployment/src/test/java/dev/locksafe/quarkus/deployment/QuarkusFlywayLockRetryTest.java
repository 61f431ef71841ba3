package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * quarkus-flyway's migrate-at-start with LockSafe under a real blocker: a session holds ACCESS SHARE on
 * the table when the application starts; the migration's ALTER TABLE times out after
 * {@code quarkus.locksafe.lock-timeout}, the blocker ends once it saw that, and the retry commits.
 */
class QuarkusFlywayLockRetryTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusFlywayLockRetryTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = ContendedStart.of(DATABASE, DATABASE
            .application(jar -> jar.addAsResource(new StringAsset("ALTER TABLE accounts ADD COLUMN note text;\n"),
                    "db/migration/V1__add_note.sql"))
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
            .overrideConfigKey("quarkus.flyway.baseline-on-migrate", "true")
            .overrideConfigKey("quarkus.flyway.baseline-version", "0"), "ALTER TABLE accounts ADD COLUMN note text");

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry meters;

    @Test
    void migrationAtStartRetriesAfterTheBlockerAndCommits() throws SQLException {
        assertThat(AppDatabase.count(dataSource, "SELECT count(*) FROM information_schema.columns"
                + " WHERE table_name = 'accounts' AND column_name = 'note'")).isEqualTo(1);
        assertThat(AppDatabase.count(dataSource, "SELECT count(*) FROM flyway_schema_history"
                + " WHERE version = '1' AND success")).isEqualTo(1);
    }

    @Test
    void attemptsAreCountedInTheApplicationsMeterRegistry() {
        ContendedStart.assertCounted(meters);
    }
}
