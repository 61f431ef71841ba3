package dev.locksafe.flyway;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.locksafe.AttemptListener;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.extensibility.ConfigurationExtension;

/**
 * The {@code locksafe} namespace of Flyway's configuration: {@code flyway.locksafe.<key>} in
 * {@code flyway.conf}, the Java API's configuration map and {@code -D} properties; {@code [flyway.locksafe]}
 * in {@code flyway.toml}; {@code FLYWAY_LOCKSAFE_<UPPER_SNAKE_KEY>} in the environment.
 *
 * <p>Values are kept as text exactly as given and checked when migrate starts, so that a bad value fails
 * with LockSafe's message (key, value, what is accepted) rather than a binding error. Unset keys keep
 * LockSafe's defaults.
 *
 * <p>From code: {@code LockSafeConfigurationExtension.of(configuration).set(Setting.LOCK_TIMEOUT, "200ms")}, or {@code Flyway.configure().configuration(Map.of("flyway.locksafe.lockTimeout", "200ms"))}.
 * Not thread-safe; Flyway copies it per configuration.
 */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class LockSafeConfigurationExtension implements ConfigurationExtension {

    /** What every LockSafe environment variable starts with. */
    static final String ENV_PREFIX = "FLYWAY_LOCKSAFE_";
    private static final Set<String> WARNED_ENVIRONMENT_VARIABLES = ConcurrentHashMap.newKeySet();

    /*
     * One text field per setting, named by its key: Flyway binds flyway.locksafe.<key> to the declared
     * field of that name (Jackson, field visibility) and merges configurations field by field, so a field
     * per key is what Flyway needs. Nothing else here names a key: copy, apply and rawValues go through
     * FIELDS, which the class refuses to load without (a field for every Setting, checked below).
     * Flyway's Plugin marks its own isEnabled() with @JsonIgnore, which would make Jackson drop
     * flyway.locksafe.enabled; the explicit @JsonProperty keeps it.
     */
    @JsonProperty("enabled")
    private String enabled;
    private String lockTimeout;
    private String lockTimeoutMultiplier;
    private String maxLockTimeout;
    private String statementTimeout;
    private String maxAttempts;
    private String initialBackoff;
    private String backoffMultiplier;
    private String maxBackoff;
    private String jitter;
    private String retrySqlStates;
    private String finalAttemptWithoutLockTimeout;
    private String logBlockers;
    private String check;
    private String checkAllow;
    private String checkSeverity;
    private String checkMaxExclusiveHold;
    private String checkSchemas;
    private String checkReport;

    /** The field of each setting. */
    private static final Map<Setting, Field> FIELDS = fields();

    /**
     * Told about every attempt of this Flyway instance's migrations, besides Flyway's log: an
     * application's own listener (the Spring Boot starter's metrics). Not a configuration value, so
     * transient: Flyway's binding of {@code flyway.locksafe.*} keys never sees it.
     */
    private transient List<AttemptListener> attemptListeners = new CopyOnWriteArrayList<>();

    @Override
    public String getNamespace() {
        return "locksafe";
    }

    /**
     * Maps {@code FLYWAY_LOCKSAFE_LOCK_TIMEOUT} to {@code flyway.locksafe.lockTimeout}, and so on. Flyway
     * drops a variable no extension maps, so a misspelt {@code FLYWAY_LOCKSAFE_*} variable would silently
     * keep the default: it is warned about, once per name, with the closest known variable. (A misspelt
     * {@code flyway.locksafe.*} key fails the run in Flyway itself.)
     */
    @Override
    public String getConfigurationParameterFromEnvironmentVariable(String environmentVariable) {
        if (environmentVariable == null || !environmentVariable.startsWith(ENV_PREFIX)) {
            return null;
        }
        String suffix = environmentVariable.substring(ENV_PREFIX.length());
        for (Setting s : Setting.values()) {
            if (s.upperSnakeKey().equals(suffix)) {
                return "flyway.locksafe." + s.key();
            }
        }
        if (WARNED_ENVIRONMENT_VARIABLES.add(environmentVariable)) {
            Setting closest = Setting.find(LockSafeSettings.closestKey(suffix.replace("_", ""))).orElseThrow();
            FlywayLogSink.log().warn("LockSafe: ignoring unknown environment variable " + environmentVariable
                    + "; did you mean " + ENV_PREFIX + closest.upperSnakeKey() + "?");
        }
        return null;
    }

    /** A copy with the same values; Flyway copies extensions per configuration. */
    @Override
    public LockSafeConfigurationExtension copy() {
        LockSafeConfigurationExtension c = new LockSafeConfigurationExtension();
        for (Setting s : Setting.values()) {
            c.set(s, get(s));
        }
        c.attemptListeners.addAll(attemptListeners);
        return c;
    }

    /**
     * The settings these values describe.
     *
     * @throws dev.locksafe.InvalidSettingException naming the key as {@code flyway.locksafe.<key>}
     */
    public LockSafeSettings toSettings() {
        return LockSafeSettings.fromMap(rawValues());
    }

    /**
     * The LockSafe extension of {@code configuration}, or {@code null} when Flyway did not load the plugin.
     */
    // getPlugin(Class) is deprecated in Flyway 13, but its replacements do not exist in Flyway 11 (Boot 3.5's)
    @SuppressWarnings("deprecation")
    public static LockSafeConfigurationExtension of(Configuration configuration) {
        return configuration.getPluginRegister().getPlugin(LockSafeConfigurationExtension.class);
    }

    /**
     * Also tells {@code listener} about every attempt of this Flyway instance's migrations: how an
     * application counts the attempts of its own Flyway (the Spring Boot starter's metrics) without a
     * JVM-wide registration that would count other applications' attempts too.
     */
    public void addAttemptListener(AttemptListener listener) {
        attemptListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** The listeners added with {@link #addAttemptListener}. */
    List<AttemptListener> attemptListeners() {
        return List.copyOf(attemptListeners);
    }

    /**
     * Takes every value of {@code settings}: how an application (the Spring Boot starter, say) hands
     * LockSafe's settings to the Flyway instance it built, in place of {@code flyway.locksafe.*} keys.
     */
    public void apply(LockSafeSettings settings) {
        Map<String, String> map = settings.asMap();
        for (Setting s : Setting.values()) {
            set(s, map.get(s.key()));
        }
    }

    /** The keys that were set, with their text. */
    public Map<String, String> rawValues() {
        Map<String, String> raw = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            String value = get(s);
            if (value != null) {
                raw.put(s.key(), value);
            }
        }
        return raw;
    }

    /**
     * Sets one setting as text, checked when migrate starts, like a {@code flyway.locksafe.<key>} value:
     * {@code set(Setting.LOCK_TIMEOUT, "200ms")}; {@code null} unsets it (LockSafe's default applies).
     */
    public void set(Setting setting, String value) {
        try {
            FIELDS.get(setting).set(this, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text set for {@code setting}, or {@code null} when it is unset. */
    public String get(Setting setting) {
        try {
            return (String) FIELDS.get(setting).get(this);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<Setting, Field> fields() {
        Map<Setting, Field> fields = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            try {
                Field f = LockSafeConfigurationExtension.class.getDeclaredField(s.key());
                if (f.getType() != String.class || Modifier.isStatic(f.getModifiers())) {
                    throw new NoSuchFieldException(s.key());
                }
                fields.put(s, f);
            } catch (NoSuchFieldException e) {
                throw new ExceptionInInitializerError("LockSafe build error: Flyway binds flyway.locksafe."
                        + s.key() + " to a String field named " + s.key() + ", and there is none");
            }
        }
        return Collections.unmodifiableMap(fields);
    }
}
