package dev.locksafe.liquibase;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import liquibase.configuration.AutoloadedConfigurations;
import liquibase.configuration.ConfigurationDefinition;
import liquibase.exception.UnexpectedLiquibaseException;

/**
 * LockSafe's settings as Liquibase configuration definitions, so Liquibase reads them from all its
 * usual places and {@code --help} and strict mode know them: {@code liquibase.locksafe.lockTimeout} in
 * {@code liquibase.properties} or as a system property, {@code LIQUIBASE_LOCKSAFE_LOCK_TIMEOUT} in the
 * environment, the Maven plugin's property file and {@code -D} options.
 *
 * <p>Values are text, checked by LockSafe when a changeset starts, so a bad value fails with LockSafe's
 * message (key, value, what is accepted) before the changeset's first change runs.
 */
public final class LockSafeConfiguration implements AutoloadedConfigurations {

    /** The prefix of every key. */
    public static final String PREFIX = "liquibase.locksafe";

    private static final Map<Setting, ConfigurationDefinition<String>> DEFINITIONS;

    static {
        ConfigurationDefinition.Builder builder = new ConfigurationDefinition.Builder(PREFIX);
        Map<Setting, ConfigurationDefinition<String>> definitions = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            ConfigurationDefinition.Building<String> building = builder.define(s.key(), String.class)
                    .setDescription("LockSafe: " + s.description());
            if (!s.defaultValue().isEmpty()) {
                building.setDefaultValue(s.defaultValue());
            }
            definitions.put(s, building.build());
        }
        DEFINITIONS = Collections.unmodifiableMap(definitions);
    }

    /**
     * The settings as Liquibase resolves them now (from the current scope).
     *
     * @throws UnexpectedLiquibaseException naming {@code liquibase.locksafe.<key>} when a value cannot be used
     */
    public static LockSafeSettings currentSettings() {
        Map<String, String> raw = new LinkedHashMap<>();
        for (Map.Entry<Setting, ConfigurationDefinition<String>> e : DEFINITIONS.entrySet()) {
            String value = e.getValue().getCurrentValue();
            if (value != null) {
                raw.put(e.getKey().key(), value);
            }
        }
        try {
            return LockSafeSettings.fromMap(raw);
        } catch (InvalidSettingException e) {
            throw new UnexpectedLiquibaseException(e.messageWithKeyPrefix(PREFIX + "."), e);
        }
    }
}
