package dev.locksafe.quarkus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.Setting;
import io.smallrye.config.WithDefault;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code quarkus.locksafe.*} has exactly the settings table's keys, with its defaults. */
class LockSafeConfigTest {

    @Test
    void everySettingHasAKeyWithTheTablesDefault() {
        for (Setting setting : Setting.values()) {
            Method method = QuarkusSettings.methods().get(setting);
            WithDefault withDefault = method.getAnnotation(WithDefault.class);
            if (setting.defaultValue().isEmpty()) {
                assertThat(withDefault).as(setting.key()).isNull();
                assertThat(method.getReturnType()).as(setting.key()).isEqualTo(Optional.class);
            } else {
                assertThat(withDefault).as(setting.key()).isNotNull();
                assertThat(withDefault.value()).as(setting.key()).isEqualTo(setting.defaultValue());
                assertThat(method.getReturnType()).as(setting.key()).isEqualTo(String.class);
            }
        }
    }

    @Test
    void noKeyOutsideTheSettingsTable() {
        assertThat(Arrays.stream(LockSafeConfig.class.getDeclaredMethods()).map(Method::getName)
                .collect(Collectors.toSet()))
                .isEqualTo(Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet()));
    }
}
