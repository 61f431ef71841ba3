package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import dev.locksafe.flyway.LockSafeConfigurationExtension;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.testing.SettingSamples;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import liquibase.Scope;
import liquibase.configuration.ConfigurationValueProvider;
import liquibase.configuration.LiquibaseConfiguration;
import liquibase.configuration.core.DefaultsFileValueProvider;
import liquibase.configuration.core.EnvironmentValueProvider;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Every setting of {@link Setting} reaches LockSafe through every way each host tool takes configuration,
 * with the host's own binding code: a setting added to {@code Setting} that a front end does not carry
 * fails here. (Spring Boot's round trip is in the Boot test modules, run on each Boot version.)
 */
class SettingsRoundTripTest {

    private static final Map<String, String> EXPECTED = SettingSamples.expectedAsMap();

    private static LockSafeSettings flywaySettings(Map<String, String> configuration) {
        Configuration config = Flyway.configure().configuration(configuration);
        return LockSafeConfigurationExtension.of(config).toSettings();
    }

    @Test
    void everySettingIsReadFromFlywayConfiguration() {
        Map<String, String> conf = new LinkedHashMap<>();
        SettingSamples.all().forEach((s, value) -> conf.put("flyway.locksafe." + s.key(), value));
        assertThat(flywaySettings(conf).asMap()).isEqualTo(EXPECTED);
    }

    @Test
    void everySettingIsReadFromAFlywayEnvironmentVariable() {
        LockSafeConfigurationExtension extension = new LockSafeConfigurationExtension();
        Map<String, String> conf = new LinkedHashMap<>();
        SettingSamples.all().forEach((s, value) -> conf.put(
                extension.getConfigurationParameterFromEnvironmentVariable("FLYWAY_LOCKSAFE_" + s.upperSnakeKey()),
                value));
        assertThat(flywaySettings(conf).asMap()).isEqualTo(EXPECTED);
    }

    @Test
    void everySettingSurvivesFlywaysApiAndItsCopyOfTheConfiguration() {
        LockSafeConfigurationExtension set = new LockSafeConfigurationExtension();
        SettingSamples.all().forEach(set::set);
        assertThat(set.toSettings().asMap()).isEqualTo(EXPECTED);
        assertThat(set.copy().toSettings().asMap()).isEqualTo(EXPECTED);

        LockSafeConfigurationExtension applied = new LockSafeConfigurationExtension();
        applied.apply(set.toSettings());
        assertThat(applied.rawValues()).isEqualTo(EXPECTED);

        // Flyway's own copy of a configuration (configure().configuration(Configuration)) keeps them
        Configuration original = Flyway.configure();
        SettingSamples.all().forEach(LockSafeConfigurationExtension.of(original)::set);
        Configuration copied = Flyway.configure().configuration(original);
        assertThat(LockSafeConfigurationExtension.of(copied).toSettings().asMap()).isEqualTo(EXPECTED);
    }

    @Test
    void everySettingIsReadFromLiquibaseProperties() throws Exception {
        StringBuilder file = new StringBuilder();
        SettingSamples.all().forEach((s, value) -> file.append("liquibase.locksafe.").append(s.key())
                .append('=').append(value).append('\n'));
        ConfigurationValueProvider properties = new DefaultsFileValueProvider(
                new ByteArrayInputStream(file.toString().getBytes(StandardCharsets.UTF_8)), "liquibase.properties");
        assertThat(liquibaseSettingsWith(properties).asMap()).isEqualTo(EXPECTED);
    }

    @Test
    void everySettingIsReadFromALiquibaseEnvironmentVariable() throws Exception {
        Map<String, String> variables = new LinkedHashMap<>();
        SettingSamples.all().forEach((s, value) -> variables.put("LIQUIBASE_LOCKSAFE_" + s.upperSnakeKey(), value));
        ConfigurationValueProvider environment = new EnvironmentValueProvider() {
            @Override
            protected Map<?, ?> getMap() {
                return variables;
            }
        };
        assertThat(liquibaseSettingsWith(environment).asMap()).isEqualTo(EXPECTED);
    }

    @Test
    void everySettingIsReadFromALiquibaseScopeValueAsTheMavenPluginAndTheCommandLineSetThem() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        SettingSamples.all().forEach((s, value) -> values.put("liquibase.locksafe." + s.key(), value));
        LockSafeSettings settings = Scope.child(values, LockSafeConfiguration::currentSettings);
        assertThat(settings.asMap()).isEqualTo(EXPECTED);
    }

    /** The settings Liquibase resolves with {@code provider} registered, as it registers its own. */
    private static LockSafeSettings liquibaseSettingsWith(ConfigurationValueProvider provider) throws Exception {
        LiquibaseConfiguration configuration = Scope.getCurrentScope().getSingleton(LiquibaseConfiguration.class);
        configuration.registerProvider(provider);
        try {
            return LockSafeConfiguration.currentSettings();
        } finally {
            configuration.unregisterProvider(provider);
        }
    }
}
