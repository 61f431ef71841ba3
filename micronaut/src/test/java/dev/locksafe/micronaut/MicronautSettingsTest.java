package dev.locksafe.micronaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import dev.locksafe.flyway.LockSafeConfigurationExtension;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.SettingSamples;
import dev.locksafe.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.flyway.FlywayConfigurationProperties;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code locksafe.*} in a Micronaut application: every key reaches both tools; bad and unknown keys are said;
 * the ZDD check stops a start whose migration breaks release N.
 */
@ExtendWith(PostgresExtension.class)
class MicronautSettingsTest {

    @Test
    void everyKeyReachesFlywayAndLiquibase(TestDatabase db) {
        Map<String, Object> config = MicronautLockRetryTest.application(db);
        SettingSamples.all().forEach((setting, value) -> config.put(MicronautSettings.propertyName(setting), value));
        config.put("flyway.datasources.default.enabled", false);
        config.put("liquibase.datasources.default.enabled", false);
        config.put("liquibase.datasources.default.change-log", "classpath:db/micronaut-liquibase/changelog.xml");
        try (ApplicationContext context = ApplicationContext.run(config)) {
            assertThat(context.getBean(LockSafeSettings.class).asMap()).isEqualTo(SettingSamples.expectedAsMap());
            FlywayConfigurationProperties flyway = context.getBean(FlywayConfigurationProperties.class,
                    Qualifiers.byName("default"));
            assertThat(LockSafeConfigurationExtension.of(flyway.getFluentConfiguration()).rawValues())
                    .isEqualTo(SettingSamples.expectedAsMap());
            context.getBean(javax.sql.DataSource.class); // starting it hands the settings to Liquibase
            assertThat(LockSafeConfiguration.currentSettings().asMap()).isEqualTo(SettingSamples.expectedAsMap());
        }
    }

    @Test
    void aListInYamlFormWorksForTheSqlStates() {
        try (ApplicationContext context = ApplicationContext.run(Map.of("locksafe.retry-sql-states", List.of("55P03", "40P01")))) {
            assertThat(context.getBean(LockSafeSettings.class).retrySqlStates()).containsExactlyInAnyOrder("55P03", "40P01");
        }
    }

    @Test
    void aBadValueStopsTheStartWithLockSafesMessage(TestDatabase db) {
        Map<String, Object> config = MicronautLockRetryTest.application(db);
        config.put("locksafe.lock-timeout", "1s; DROP TABLE x");
        config.put("flyway.datasources.default.enabled", true);
        config.put("flyway.datasources.default.locations", "classpath:db/micronaut-flyway");
        assertThatThrownBy(() -> startAndClose(config))
                .satisfies(thrown -> assertThat(rootLockSafeMessage(thrown)).startsWith(
                        "Invalid LockSafe setting locksafe.lock-timeout='1s; DROP TABLE x': expected a duration"));
        assertThat(db.queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'")).isZero();
    }

    @Test
    void aZddFailureRollsBackTheMigrationAndStopsTheStart(TestDatabase db) {
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, note text)");
        Map<String, Object> config = MicronautLockRetryTest.application(db);
        config.put("locksafe.check", "fail");
        config.put("flyway.datasources.default.enabled", true);
        config.put("flyway.datasources.default.locations", "classpath:db/micronaut-zdd");
        config.put("flyway.datasources.default.baseline-on-migrate", true);
        config.put("flyway.datasources.default.baseline-version", "0");
        assertThatThrownBy(() -> startAndClose(config))
                .hasStackTraceContaining("ZddCheckFailedException")
                .hasStackTraceContaining("B101 drop-column public.accounts.note");
        assertThat(db.hasColumn("accounts", "note")).isTrue();
        assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE version = '1' AND success")).isZero();
    }

    @Test
    void aMisspeltKeyIsWarnedAboutWithTheClosestKey() {
        try (LogCapture log = LogCapture.of("dev.locksafe");
             ApplicationContext context = ApplicationContext.run(Map.of("locksafe.lock-timout", "1s"))) {
            context.getBean(LockSafeSettings.class);
            assertThat(log.messagesContaining("locksafe.lock-timout")).singleElement().asString()
                    .contains("ignoring unknown setting locksafe.lock-timout; did you mean "
                            + MicronautSettings.propertyName(Setting.LOCK_TIMEOUT));
        }
    }

    /** Starts an application and stops it, also when its start fails (its data source pool would stay open). */
    private static void startAndClose(Map<String, Object> config) {
        ApplicationContext context = ApplicationContext.builder(config).build();
        try {
            context.start();
        } finally {
            context.stop();
        }
    }

    private static String rootLockSafeMessage(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException && t.getMessage().contains("Invalid LockSafe setting")) {
                return t.getMessage().substring(t.getMessage().indexOf("Invalid LockSafe setting"));
            }
        }
        throw new AssertionError("no LockSafe message in " + thrown, thrown);
    }
}
