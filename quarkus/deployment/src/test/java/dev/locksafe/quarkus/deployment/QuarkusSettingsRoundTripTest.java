package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.Setting;
import dev.locksafe.flyway.LockSafeConfigurationExtension;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.quarkus.runtime.QuarkusSettings;
import dev.locksafe.testing.SettingSamples;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every key of the settings table, set as {@code quarkus.locksafe.<kebab-key>}, reaches both tools with the
 * value it was given: the Flyway that quarkus-flyway built, and Liquibase's configuration. A misspelt key
 * gets Quarkus's own warning.
 */
class QuarkusSettingsRoundTripTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusSettingsRoundTripTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = withEverySample(DATABASE.application(jar -> { })
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "false")
            .overrideConfigKey("quarkus.liquibase.migrate-at-start", "false")
            // a misspelt key is warned about as Quarkus warns about its own
            .overrideConfigKey("quarkus.locksafe.lock-timout", "1s")
            .setLogRecordPredicate(r -> r.getMessage() != null && r.getMessage().contains("Unrecognized"))
            .assertLogRecords(records -> assertThat(AppDatabase.lines(records)).anySatisfy(line -> assertThat(line)
                    .contains("Unrecognized configuration key \"quarkus.locksafe.lock-timout\""))));

    private static QuarkusUnitTest withEverySample(QuarkusUnitTest app) {
        for (Map.Entry<Setting, String> sample : SettingSamples.all().entrySet()) {
            app.overrideConfigKey(QuarkusSettings.propertyName(sample.getKey()), sample.getValue());
        }
        return app;
    }

    @Inject
    Flyway flyway;

    @Test
    void everyKeyReachesFlyway() {
        assertThat(LockSafeConfigurationExtension.of(flyway.getConfiguration()).rawValues())
                .isEqualTo(SettingSamples.expectedAsMap());
    }

    @Test
    void everyKeyReachesLiquibase() {
        assertThat(LockSafeConfiguration.currentSettings().asMap()).isEqualTo(SettingSamples.expectedAsMap());
    }

    @Test
    void keysAreTheSettingsTableKeysInKebabCase() {
        assertThat(QuarkusSettings.propertyName(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT))
                .isEqualTo("quarkus.locksafe.final-attempt-without-lock-timeout");
    }
}
