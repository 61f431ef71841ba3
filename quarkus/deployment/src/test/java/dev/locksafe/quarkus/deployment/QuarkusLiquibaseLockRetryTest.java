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
 * quarkus-liquibase's migrate-at-start with LockSafe under a real blocker. Quarkus hands Liquibase an
 * open connection from the data source; the extension registers that data source for blocker lookups,
 * so the retry line names the blocking session as well as the statement.
 */
class QuarkusLiquibaseLockRetryTest {

    private static final String CHANGELOG = """
            <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                    http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">
              <changeSet id="add-note" author="test">
                <addColumn tableName="accounts"><column name="note" type="text"/></addColumn>
              </changeSet>
            </databaseChangeLog>
            """;

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusLiquibaseLockRetryTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = ContendedStart.of(DATABASE, DATABASE
            .application(jar -> jar.addAsResource(new StringAsset(CHANGELOG), "db/changeLog.xml"))
            .overrideConfigKey("quarkus.liquibase.migrate-at-start", "true")
            .overrideConfigKey("quarkus.liquibase.change-log", "db/changeLog.xml"), "ALTER TABLE public.accounts ADD note TEXT");

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry meters;

    @Test
    void changesetAtStartRetriesAfterTheBlockerAndCommitsOnce() throws SQLException {
        assertThat(AppDatabase.count(dataSource, "SELECT count(*) FROM information_schema.columns"
                + " WHERE table_name = 'accounts' AND column_name = 'note'")).isEqualTo(1);
        assertThat(AppDatabase.count(dataSource, "SELECT count(*) FROM databasechangelog WHERE id = 'add-note'"))
                .isEqualTo(1);
    }

    @Test
    void attemptsAreCountedInTheApplicationsMeterRegistry() {
        ContendedStart.assertCounted(meters);
    }
}
