package dev.locksafe.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.Setting;
import dev.locksafe.spring.boot.LockSafeProperties;
import dev.locksafe.testing.SettingSamples;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Every setting reaches LockSafe from Spring Boot's properties and from the environment, in this Boot
 * version: a setting added to {@code Setting} that the starter does not read fails here.
 */
class SettingsRoundTripTest {

    @Test
    void everySettingIsReadFromApplicationProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        SettingSamples.all().forEach((s, value) -> properties.put("locksafe." + s.kebabKey(), value));
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("application.properties", properties));
        assertThat(LockSafeProperties.bind(env).asMap()).isEqualTo(SettingSamples.expectedAsMap());
    }

    @Test
    void everySettingIsReadFromTheEnvironment() {
        Map<String, Object> variables = new LinkedHashMap<>();
        for (Map.Entry<Setting, String> e : SettingSamples.all().entrySet()) {
            variables.put("LOCKSAFE_" + e.getKey().upperSnakeKey().toUpperCase(Locale.ROOT), e.getValue());
        }
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        assertThat(LockSafeProperties.bind(env).asMap()).isEqualTo(SettingSamples.expectedAsMap());
    }
}
