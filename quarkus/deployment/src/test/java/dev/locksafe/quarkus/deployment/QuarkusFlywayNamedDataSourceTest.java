package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.flyway.LockSafeConfigurationExtension;
import io.quarkus.flyway.FlywayDataSource;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A named data source's Flyway gets {@code quarkus.locksafe.*} too (quarkus-flyway applies an unqualified
 * customizer to the default data source only), and a {@code flyway.locksafe.*} system property, which the
 * Flyway that Quarkus builds never reads, is reported with the Quarkus key to use instead.
 */
class QuarkusFlywayNamedDataSourceTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusFlywayNamedDataSourceTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = DATABASE
            .application(jar -> jar.addAsResource(new StringAsset("CREATE TABLE inventory_items (id int);\n"),
                    "db/inventory/V1__create_items.sql"))
            .overrideConfigKey("quarkus.datasource.inventory.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.inventory.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.inventory.jdbc.url", DATABASE.url)
            .overrideConfigKey("quarkus.datasource.inventory.username", DATABASE.user)
            .overrideConfigKey("quarkus.datasource.inventory.password", DATABASE.password)
            .overrideConfigKey("quarkus.flyway.inventory.migrate-at-start", "true")
            .overrideConfigKey("quarkus.flyway.inventory.locations", "db/inventory")
            .overrideConfigKey("quarkus.locksafe.lock-timeout", "750ms")
            .setBeforeAllCustomizer(() -> System.setProperty("flyway.locksafe.maxAttempts", "7"))
            .setAfterAllCustomizer(() -> System.clearProperty("flyway.locksafe.maxAttempts"))
            .setLogRecordPredicate(r -> r.getMessage() != null && r.getMessage().contains("LockSafe"))
            .assertLogRecords(records -> {
                List<String> lines = AppDatabase.lines(records);
                assertThat(lines).filteredOn(l -> l.contains("flyway.locksafe.maxAttempts")).singleElement()
                        .asString().contains("system property flyway.locksafe.maxAttempts=7 is not applied",
                                "runs with maxAttempts=10",
                                "give it as quarkus.locksafe.max-attempts (QUARKUS_LOCKSAFE_MAX_ATTEMPTS");
            });

    @Inject
    @FlywayDataSource("inventory")
    Flyway inventory;

    @Inject
    Flyway defaultFlyway;

    @Test
    void bothDataSourcesFlywayRunWithTheQuarkusSettings() {
        assertThat(LockSafeConfigurationExtension.of(inventory.getConfiguration()).toSettings().lockTimeout())
                .hasMillis(750);
        assertThat(LockSafeConfigurationExtension.of(defaultFlyway.getConfiguration()).toSettings().lockTimeout())
                .hasMillis(750);
        assertThat(inventory.info().applied()).hasSize(1);
    }
}
