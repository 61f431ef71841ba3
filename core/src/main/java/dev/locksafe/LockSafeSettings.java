package dev.locksafe;

import static dev.locksafe.SettingValues.format;
import static dev.locksafe.SettingValues.invalid;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry policy: every key of the settings table with its default. Immutable and thread-safe.
 *
 * <p>Build it from code with {@link #builder()}, or from raw text values (a properties file, a Flyway or
 * Liquibase configuration) with {@link #fromMap(Map)}. Every value is checked when it is set; a value
 * that cannot be used throws {@link InvalidSettingException} naming the key, the value and what is
 * accepted, so a bad policy fails before any SQL runs.
 *
 * <pre>{@code
 * LockSafeSettings settings = LockSafeSettings.builder()
 *         .lockTimeout(Duration.ofMillis(200))
 *         .maxAttempts(10)
 *         .build();
 * }</pre>
 */
public final class LockSafeSettings {

    /**
     * Created on first use: a host without an SLF4J provider (the Liquibase command line) gets no SLF4J
     * start-up warning from LockSafe unless LockSafe really logs through SLF4J.
     */
    private static final class Slf4j {
        static final Logger LOG = LoggerFactory.getLogger(LockSafeSettings.class);
    }

    /** The default of every setting that has one, parsed from {@link Setting#defaultValue()}. */
    private static final Map<Setting, Object> DEFAULT_VALUES = defaultValues();
    private static final LockSafeSettings DEFAULTS = new Builder().build();

    /** One value per setting; a setting without a value (statementTimeout unset) is absent. */
    private final Map<Setting, Object> values;

    private LockSafeSettings(Builder b) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(b.values));
    }

    private static Map<Setting, Object> defaultValues() {
        Map<Setting, Object> defaults = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            if (!s.defaultValue().isEmpty()) {
                defaults.put(s, s.type().parse(s, s.defaultValue()));
            }
        }
        return defaults;
    }

    private <T> T value(Setting setting, Class<T> type) {
        return type.cast(values.get(setting));
    }

    /** The defaults of the settings table. */
    public static LockSafeSettings defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this policy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Settings from raw text values keyed by the camelCase keys of {@link Setting} (kebab-case and any
     * letter case are accepted too). Absent keys keep their defaults. Unknown keys are ignored with a
     * warning that names the closest known key.
     *
     * @throws InvalidSettingException if a value cannot be used
     */
    public static LockSafeSettings fromMap(Map<String, String> raw) {
        Builder b = builder();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            Setting setting = Setting.find(e.getKey()).orElse(null);
            if (setting == null) {
                Slf4j.LOG.warn("LockSafe: ignoring unknown setting '{}'; did you mean '{}'?",
                        e.getKey(), closestKey(e.getKey()));
                continue;
            }
            b.parse(setting, e.getValue());
        }
        return b.build();
    }

    /** The known key closest to {@code unknown} in edit distance, for "did you mean" messages. */
    public static String closestKey(String unknown) {
        String needle = unknown.toLowerCase(Locale.ROOT);
        return Arrays.stream(Setting.values())
                .map(Setting::key)
                .min(Comparator.comparingInt(k -> editDistance(needle, k.toLowerCase(Locale.ROOT))))
                .orElseThrow();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Whether LockSafe acts at all; when false the adapters leave the host tool untouched. */
    public boolean enabled() {
        return value(Setting.ENABLED, Boolean.class);
    }

    /** The {@code lock_timeout} of the first attempt. */
    public Duration lockTimeout() {
        return value(Setting.LOCK_TIMEOUT, Duration.class);
    }

    /** Growth of {@code lock_timeout} per attempt; 1.0 keeps it constant. */
    public double lockTimeoutMultiplier() {
        return value(Setting.LOCK_TIMEOUT_MULTIPLIER, Double.class);
    }

    /** The cap of an escalated {@code lock_timeout}. */
    public Duration maxLockTimeout() {
        return value(Setting.MAX_LOCK_TIMEOUT, Duration.class);
    }

    /** The {@code statement_timeout} for migration statements; empty keeps the server's setting. */
    public Optional<Duration> statementTimeout() {
        return Optional.ofNullable(value(Setting.STATEMENT_TIMEOUT, Duration.class));
    }

    /** Attempts in all, the first included. */
    public int maxAttempts() {
        return value(Setting.MAX_ATTEMPTS, Integer.class);
    }

    /** The wait after the first failed attempt. */
    public Duration initialBackoff() {
        return value(Setting.INITIAL_BACKOFF, Duration.class);
    }

    /** The growth of the wait from one failed attempt to the next. */
    public double backoffMultiplier() {
        return value(Setting.BACKOFF_MULTIPLIER, Double.class);
    }

    /** The cap of one wait. */
    public Duration maxBackoff() {
        return value(Setting.MAX_BACKOFF, Duration.class);
    }

    /** The randomization factor of each wait, in [0, 1]. */
    public double jitter() {
        return value(Setting.JITTER, Double.class);
    }

    /** The SQLSTATEs that trigger a retry, upper case. */
    @SuppressWarnings("unchecked")
    public Set<String> retrySqlStates() {
        return (Set<String>) values.get(Setting.RETRY_SQL_STATES);
    }

    /** Whether the last attempt runs without {@code lock_timeout}. */
    public boolean finalAttemptWithoutLockTimeout() {
        return value(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT, Boolean.class);
    }

    /** Whether blocking sessions are looked up and reported on failed attempts. */
    public boolean logBlockers() {
        return value(Setting.LOG_BLOCKERS, Boolean.class);
    }

    /** What the zero-downtime-deployment check does. */
    public dev.locksafe.check.CheckMode check() {
        return value(Setting.CHECK, dev.locksafe.check.CheckMode.class);
    }

    /** ZDD findings accepted from configuration; none when unset. */
    public dev.locksafe.check.AllowList checkAllow() {
        dev.locksafe.check.AllowList allow = value(Setting.CHECK_ALLOW, dev.locksafe.check.AllowList.class);
        return allow == null ? dev.locksafe.check.AllowList.none() : allow;
    }

    /** Severity overrides of the ZDD rules; none when unset. */
    public dev.locksafe.check.SeverityOverrides checkSeverity() {
        dev.locksafe.check.SeverityOverrides s = value(Setting.CHECK_SEVERITY, dev.locksafe.check.SeverityOverrides.class);
        return s == null ? dev.locksafe.check.SeverityOverrides.none() : s;
    }

    /**
     * How long one migration may keep a production table locked against writes (SHARE or stronger) before
     * the ZDD check reports it (rule L209).
     */
    public Duration checkMaxExclusiveHold() {
        return value(Setting.CHECK_MAX_EXCLUSIVE_HOLD, Duration.class);
    }

    /** The schemas the ZDD check reads and judges; every non-system schema when unset. */
    public dev.locksafe.check.CheckedSchemas checkSchemas() {
        dev.locksafe.check.CheckedSchemas s = value(Setting.CHECK_SCHEMAS, dev.locksafe.check.CheckedSchemas.class);
        return s == null ? dev.locksafe.check.CheckedSchemas.all() : s;
    }

    /** The directory for the ZDD reports, if any. */
    public Optional<java.nio.file.Path> checkReport() {
        return Optional.ofNullable(value(Setting.CHECK_REPORT, java.nio.file.Path.class));
    }

    /**
     * The {@code lock_timeout} of attempt {@code attempt} (1-based): the first attempt's timeout grown
     * by {@link #lockTimeoutMultiplier()} per attempt, capped at {@link #maxLockTimeout()} (or at
     * {@link #lockTimeout()} when that is larger). Empty for a final attempt that runs without a lock
     * timeout.
     */
    public Optional<Duration> lockTimeoutForAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1 but was " + attempt);
        }
        int maxAttempts = maxAttempts();
        if (finalAttemptWithoutLockTimeout() && attempt >= maxAttempts && maxAttempts > 1) {
            return Optional.empty();
        }
        long first = lockTimeout().toMillis();
        double millis = first * Math.pow(lockTimeoutMultiplier(), attempt - 1);
        long cap = Math.max(maxLockTimeout().toMillis(), first);
        return Optional.of(Duration.ofMillis((long) Math.min(millis, cap)));
    }

    /** The settings as {@code key=value} pairs, in the order of the settings table. */
    @Override
    public String toString() {
        return "LockSafeSettings" + asMap();
    }

    /**
     * Every setting as the text {@link #fromMap} reads back, keyed by {@link Setting#key()} in the order of
     * {@link Setting}; {@code statementTimeout} is absent when unset. For handing settings to a tool's own
     * configuration.
     */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            Object value = values.get(setting);
            if (value != null) {
                map.put(setting.key(), setting.type().format(value));
            }
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LockSafeSettings)) {
            return false;
        }
        return toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /**
     * Builds {@link LockSafeSettings}. Each setter checks its value at once; {@link #build()} checks the
     * rules that relate two settings. Not thread-safe.
     */
    public static final class Builder {
        private final Map<Setting, Object> values;

        private Builder() {
            values = new EnumMap<>(Setting.class);
            values.putAll(DEFAULT_VALUES);
        }

        private Builder(LockSafeSettings s) {
            values = new EnumMap<>(Setting.class);
            values.putAll(s.values);
        }

        /**
         * Sets one setting from its text form, as found in a configuration file.
         *
         * @throws InvalidSettingException if the value cannot be used
         */
        public Builder parse(Setting setting, String raw) {
            Objects.requireNonNull(setting, "setting");
            try {
                return parseValue(setting, raw);
            } catch (InvalidSettingException e) {
                if (raw == null || raw.equals(e.value())) {
                    throw e;
                }
                // a range check saw the parsed value ('0ms'); the user should see what they wrote ('0')
                throw new InvalidSettingException(e.key(), raw, e.accepted());
            }
        }

        private Builder parseValue(Setting setting, String raw) {
            values.put(setting, setting.type().parse(setting, raw));
            return this;
        }

        /** Sets {@code setting} to {@code value}, given from code, once checked against its range. */
        private Builder set(Setting setting, Object value) {
            values.put(setting, setting.type().check(setting, value));
            return this;
        }

        /** See {@link LockSafeSettings#enabled()}. */
        public Builder enabled(boolean enabled) {
            return set(Setting.ENABLED, enabled);
        }

        /** See {@link LockSafeSettings#lockTimeout()}; between 1ms and 24h. */
        public Builder lockTimeout(Duration lockTimeout) {
            return set(Setting.LOCK_TIMEOUT, lockTimeout);
        }

        /** See {@link LockSafeSettings#lockTimeoutMultiplier()}; between 1.0 and 100. */
        public Builder lockTimeoutMultiplier(double multiplier) {
            return set(Setting.LOCK_TIMEOUT_MULTIPLIER, multiplier);
        }

        /** See {@link LockSafeSettings#maxLockTimeout()}; between 1ms and 24h. */
        public Builder maxLockTimeout(Duration maxLockTimeout) {
            return set(Setting.MAX_LOCK_TIMEOUT, maxLockTimeout);
        }

        /**
         * See {@link LockSafeSettings#statementTimeout()}; between 0 (no timeout) and 24h, or
         * {@code null} to keep the server's setting.
         */
        public Builder statementTimeout(Duration statementTimeout) {
            if (statementTimeout == null) {
                values.remove(Setting.STATEMENT_TIMEOUT);
                return this;
            }
            return set(Setting.STATEMENT_TIMEOUT, statementTimeout);
        }

        /** See {@link LockSafeSettings#maxAttempts()}; between 1 and 1000. */
        public Builder maxAttempts(int maxAttempts) {
            return set(Setting.MAX_ATTEMPTS, maxAttempts);
        }

        /** See {@link LockSafeSettings#initialBackoff()}; between 1ms and 1h. */
        public Builder initialBackoff(Duration initialBackoff) {
            return set(Setting.INITIAL_BACKOFF, initialBackoff);
        }

        /** See {@link LockSafeSettings#backoffMultiplier()}; between 1.0 and 100. */
        public Builder backoffMultiplier(double multiplier) {
            return set(Setting.BACKOFF_MULTIPLIER, multiplier);
        }

        /** See {@link LockSafeSettings#maxBackoff()}; between 1ms and 1h. */
        public Builder maxBackoff(Duration maxBackoff) {
            return set(Setting.MAX_BACKOFF, maxBackoff);
        }

        /** See {@link LockSafeSettings#jitter()}; between 0 and 1. */
        public Builder jitter(double jitter) {
            return set(Setting.JITTER, jitter);
        }

        /** See {@link LockSafeSettings#retrySqlStates()}; five-character codes, at least one. */
        public Builder retrySqlStates(Set<String> sqlStates) {
            Objects.requireNonNull(sqlStates, "sqlStates");
            return set(Setting.RETRY_SQL_STATES, sqlStates);
        }

        /** See {@link LockSafeSettings#finalAttemptWithoutLockTimeout()}. */
        public Builder finalAttemptWithoutLockTimeout(boolean finalAttemptWithoutLockTimeout) {
            return set(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT, finalAttemptWithoutLockTimeout);
        }

        /** See {@link LockSafeSettings#check()}. */
        public Builder check(dev.locksafe.check.CheckMode check) {
            return set(Setting.CHECK, check);
        }

        /** See {@link LockSafeSettings#logBlockers()}. */
        public Builder logBlockers(boolean logBlockers) {
            return set(Setting.LOG_BLOCKERS, logBlockers);
        }

        /**
         * The settings.
         *
         * @throws InvalidSettingException if two settings contradict each other
         */
        public LockSafeSettings build() {
            Duration initialBackoff = (Duration) values.get(Setting.INITIAL_BACKOFF);
            Duration maxBackoff = (Duration) values.get(Setting.MAX_BACKOFF);
            Duration lockTimeout = (Duration) values.get(Setting.LOCK_TIMEOUT);
            Duration maxLockTimeout = (Duration) values.get(Setting.MAX_LOCK_TIMEOUT);
            double lockTimeoutMultiplier = (Double) values.get(Setting.LOCK_TIMEOUT_MULTIPLIER);
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw invalid(Setting.INITIAL_BACKOFF, format(initialBackoff),
                        "expected at most maxBackoff (" + format(maxBackoff) + ")");
            }
            if (lockTimeoutMultiplier > 1.0 && lockTimeout.compareTo(maxLockTimeout) > 0) {
                throw invalid(Setting.LOCK_TIMEOUT, format(lockTimeout),
                        "expected at most maxLockTimeout (" + format(maxLockTimeout)
                                + ") when lockTimeoutMultiplier is above 1.0");
            }
            return new LockSafeSettings(this);
        }
    }
}
