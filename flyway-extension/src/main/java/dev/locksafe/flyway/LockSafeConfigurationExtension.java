package dev.locksafe.flyway;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.locksafe.AttemptListener;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
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
 * <p>From code: {@code configuration.getPluginRegister().getPlugin(LockSafeConfigurationExtension.class)
 * .setLockTimeout("200ms")}, or {@code Flyway.configure().configuration(Map.of("flyway.locksafe.lockTimeout", "200ms"))}.
 * Not thread-safe; Flyway copies it per configuration.
 */
public class LockSafeConfigurationExtension implements ConfigurationExtension {

    /** What every LockSafe environment variable starts with. */
    static final String ENV_PREFIX = "FLYWAY_LOCKSAFE_";
    private static final Set<String> WARNED_ENVIRONMENT_VARIABLES = ConcurrentHashMap.newKeySet();

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

    /** A copy with the same values; Flyway copies extensions per configuration. Done by hand so that it
     * does not depend on how Jackson sees the properties. */
    @Override
    public LockSafeConfigurationExtension copy() {
        LockSafeConfigurationExtension c = new LockSafeConfigurationExtension();
        c.enabled = enabled;
        c.lockTimeout = lockTimeout;
        c.lockTimeoutMultiplier = lockTimeoutMultiplier;
        c.maxLockTimeout = maxLockTimeout;
        c.statementTimeout = statementTimeout;
        c.maxAttempts = maxAttempts;
        c.initialBackoff = initialBackoff;
        c.backoffMultiplier = backoffMultiplier;
        c.maxBackoff = maxBackoff;
        c.jitter = jitter;
        c.retrySqlStates = retrySqlStates;
        c.finalAttemptWithoutLockTimeout = finalAttemptWithoutLockTimeout;
        c.logBlockers = logBlockers;
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
        enabled = map.get(Setting.ENABLED.key());
        lockTimeout = map.get(Setting.LOCK_TIMEOUT.key());
        lockTimeoutMultiplier = map.get(Setting.LOCK_TIMEOUT_MULTIPLIER.key());
        maxLockTimeout = map.get(Setting.MAX_LOCK_TIMEOUT.key());
        statementTimeout = map.get(Setting.STATEMENT_TIMEOUT.key());
        maxAttempts = map.get(Setting.MAX_ATTEMPTS.key());
        initialBackoff = map.get(Setting.INITIAL_BACKOFF.key());
        backoffMultiplier = map.get(Setting.BACKOFF_MULTIPLIER.key());
        maxBackoff = map.get(Setting.MAX_BACKOFF.key());
        jitter = map.get(Setting.JITTER.key());
        retrySqlStates = map.get(Setting.RETRY_SQL_STATES.key());
        finalAttemptWithoutLockTimeout = map.get(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT.key());
        logBlockers = map.get(Setting.LOG_BLOCKERS.key());
    }

    /** The keys that were set, with their text. */
    public Map<String, String> rawValues() {
        Map<String, String> raw = new LinkedHashMap<>();
        put(raw, Setting.ENABLED, enabled);
        put(raw, Setting.LOCK_TIMEOUT, lockTimeout);
        put(raw, Setting.LOCK_TIMEOUT_MULTIPLIER, lockTimeoutMultiplier);
        put(raw, Setting.MAX_LOCK_TIMEOUT, maxLockTimeout);
        put(raw, Setting.STATEMENT_TIMEOUT, statementTimeout);
        put(raw, Setting.MAX_ATTEMPTS, maxAttempts);
        put(raw, Setting.INITIAL_BACKOFF, initialBackoff);
        put(raw, Setting.BACKOFF_MULTIPLIER, backoffMultiplier);
        put(raw, Setting.MAX_BACKOFF, maxBackoff);
        put(raw, Setting.JITTER, jitter);
        put(raw, Setting.RETRY_SQL_STATES, retrySqlStates);
        put(raw, Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT, finalAttemptWithoutLockTimeout);
        put(raw, Setting.LOG_BLOCKERS, logBlockers);
        return raw;
    }

    private static void put(Map<String, String> raw, Setting setting, String value) {
        if (value != null) {
            raw.put(setting.key(), value);
        }
    }

    /*
     * Flyway's Plugin marks its own isEnabled() with @JsonIgnore, which would make Flyway's Jackson
     * binding drop flyway.locksafe.enabled silently; the explicit @JsonProperty keeps this setter.
     * No getEnabled() for the same reason.
     */
    @JsonProperty("enabled")
    public void setEnabled(String enabled) {
        this.enabled = enabled;
    }

    public String getLockTimeout() {
        return lockTimeout;
    }

    public void setLockTimeout(String lockTimeout) {
        this.lockTimeout = lockTimeout;
    }

    public String getLockTimeoutMultiplier() {
        return lockTimeoutMultiplier;
    }

    public void setLockTimeoutMultiplier(String lockTimeoutMultiplier) {
        this.lockTimeoutMultiplier = lockTimeoutMultiplier;
    }

    public String getMaxLockTimeout() {
        return maxLockTimeout;
    }

    public void setMaxLockTimeout(String maxLockTimeout) {
        this.maxLockTimeout = maxLockTimeout;
    }

    public String getStatementTimeout() {
        return statementTimeout;
    }

    public void setStatementTimeout(String statementTimeout) {
        this.statementTimeout = statementTimeout;
    }

    public String getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(String maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public String getInitialBackoff() {
        return initialBackoff;
    }

    public void setInitialBackoff(String initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public String getBackoffMultiplier() {
        return backoffMultiplier;
    }

    public void setBackoffMultiplier(String backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public String getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(String maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public String getJitter() {
        return jitter;
    }

    public void setJitter(String jitter) {
        this.jitter = jitter;
    }

    public String getRetrySqlStates() {
        return retrySqlStates;
    }

    public void setRetrySqlStates(String retrySqlStates) {
        this.retrySqlStates = retrySqlStates;
    }

    public String getFinalAttemptWithoutLockTimeout() {
        return finalAttemptWithoutLockTimeout;
    }

    public void setFinalAttemptWithoutLockTimeout(String finalAttemptWithoutLockTimeout) {
        this.finalAttemptWithoutLockTimeout = finalAttemptWithoutLockTimeout;
    }

    public String getLogBlockers() {
        return logBlockers;
    }

    public void setLogBlockers(String logBlockers) {
        this.logBlockers = logBlockers;
    }
}
