package dev.locksafe.spring.boot;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * LockSafe's settings as Spring Boot properties under {@code locksafe.*}: every key of {@link Setting} in
 * kebab case, with Spring's relaxed binding ({@code locksafe.lock-timeout=200ms},
 * {@code LOCKSAFE_LOCK_TIMEOUT=200ms}, YAML lists for {@code retry-sql-states}). Each key is read as text and
 * parsed by LockSafe, so the accepted values and the error for a bad one are the same as in Flyway's and
 * Liquibase's configuration. The keys come from {@link Setting}, so a new setting needs no code here; the
 * IDE metadata ({@code META-INF/spring-configuration-metadata.json}) is generated from it at build time
 * by {@code SpringConfigurationMetadata}.
 */
public final class LockSafeProperties {

    /** The prefix of every key. */
    public static final String PREFIX = "locksafe";

    private LockSafeProperties() {
    }

    /** The property name of {@code setting}: {@code locksafe.lock-timeout}. */
    public static String propertyName(Setting setting) {
        return PREFIX + "." + setting.kebabKey();
    }

    /**
     * The settings {@code environment} gives; keys it does not set keep LockSafe's defaults.
     *
     * @throws dev.locksafe.InvalidSettingException naming the key when a value cannot be used
     */
    public static LockSafeSettings bind(Environment environment) {
        return bind(Binder.get(environment));
    }

    /**
     * The settings {@code binder} gives; keys it does not set keep LockSafe's defaults.
     *
     * @throws dev.locksafe.InvalidSettingException naming the key when a value cannot be used
     */
    public static LockSafeSettings bind(Binder binder) {
        LockSafeSettings.Builder builder = LockSafeSettings.builder();
        for (Setting setting : Setting.values()) {
            String name = propertyName(setting);
            if (setting.valueType() == java.util.Set.class) {
                // a list (YAML, [0] indexes) or one comma-separated string
                binder.bind(name, Bindable.listOf(String.class))
                        .ifBound(values -> builder.parse(setting, String.join(",", values)));
            } else {
                binder.bind(name, Bindable.of(String.class)).ifBound(value -> builder.parse(setting, value));
            }
        }
        return builder.build();
    }
}
