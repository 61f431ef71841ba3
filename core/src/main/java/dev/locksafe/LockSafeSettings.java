package dev.locksafe;

import static dev.locksafe.SettingValues.checkDouble;
import static dev.locksafe.SettingValues.checkDuration;
import static dev.locksafe.SettingValues.checkInt;
import static dev.locksafe.SettingValues.checkSqlStates;
import static dev.locksafe.SettingValues.format;
import static dev.locksafe.SettingValues.invalid;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
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

    static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    static final Duration MAX_WAIT = Duration.ofHours(1);
    static final double MAX_MULTIPLIER = 100.0;
    static final int MAX_ATTEMPTS_LIMIT = 1000;

    private static final LockSafeSettings DEFAULTS = new Builder().build();

    private final boolean enabled;
    private final Duration lockTimeout;
    private final double lockTimeoutMultiplier;
    private final Duration maxLockTimeout;
    private final Duration statementTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double backoffMultiplier;
    private final Duration maxBackoff;
    private final double jitter;
    private final Set<String> retrySqlStates;
    private final boolean finalAttemptWithoutLockTimeout;
    private final boolean logBlockers;

    private LockSafeSettings(Builder b) {
        this.enabled = b.enabled;
        this.lockTimeout = b.lockTimeout;
        this.lockTimeoutMultiplier = b.lockTimeoutMultiplier;
        this.maxLockTimeout = b.maxLockTimeout;
        this.statementTimeout = b.statementTimeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.backoffMultiplier = b.backoffMultiplier;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.retrySqlStates = b.retrySqlStates;
        this.finalAttemptWithoutLockTimeout = b.finalAttemptWithoutLockTimeout;
        this.logBlockers = b.logBlockers;
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
        return enabled;
    }

    /** The {@code lock_timeout} of the first attempt. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** Growth of {@code lock_timeout} per attempt; 1.0 keeps it constant. */
    public double lockTimeoutMultiplier() {
        return lockTimeoutMultiplier;
    }

    /** The cap of an escalated {@code lock_timeout}. */
    public Duration maxLockTimeout() {
        return maxLockTimeout;
    }

    /** The {@code statement_timeout} for migration statements; empty keeps the server's setting. */
    public Optional<Duration> statementTimeout() {
        return Optional.ofNullable(statementTimeout);
    }

    /** Attempts in all, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait after the first failed attempt. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** The growth of the wait from one failed attempt to the next. */
    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    /** The cap of one wait. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The randomization factor of each wait, in [0, 1]. */
    public double jitter() {
        return jitter;
    }

    /** The SQLSTATEs that trigger a retry, upper case. */
    public Set<String> retrySqlStates() {
        return retrySqlStates;
    }

    /** Whether the last attempt runs without {@code lock_timeout}. */
    public boolean finalAttemptWithoutLockTimeout() {
        return finalAttemptWithoutLockTimeout;
    }

    /** Whether blocking sessions are looked up and reported on failed attempts. */
    public boolean logBlockers() {
        return logBlockers;
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
        if (finalAttemptWithoutLockTimeout && attempt >= maxAttempts && maxAttempts > 1) {
            return Optional.empty();
        }
        double millis = lockTimeout.toMillis() * Math.pow(lockTimeoutMultiplier, attempt - 1);
        long cap = Math.max(maxLockTimeout.toMillis(), lockTimeout.toMillis());
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
        Map<String, String> map = new java.util.LinkedHashMap<>();
        map.put(Setting.ENABLED.key(), Boolean.toString(enabled));
        map.put(Setting.LOCK_TIMEOUT.key(), format(lockTimeout));
        map.put(Setting.LOCK_TIMEOUT_MULTIPLIER.key(), Double.toString(lockTimeoutMultiplier));
        map.put(Setting.MAX_LOCK_TIMEOUT.key(), format(maxLockTimeout));
        if (statementTimeout != null) {
            map.put(Setting.STATEMENT_TIMEOUT.key(), format(statementTimeout));
        }
        map.put(Setting.MAX_ATTEMPTS.key(), Integer.toString(maxAttempts));
        map.put(Setting.INITIAL_BACKOFF.key(), format(initialBackoff));
        map.put(Setting.BACKOFF_MULTIPLIER.key(), Double.toString(backoffMultiplier));
        map.put(Setting.MAX_BACKOFF.key(), format(maxBackoff));
        map.put(Setting.JITTER.key(), Double.toString(jitter));
        map.put(Setting.RETRY_SQL_STATES.key(), String.join(",", retrySqlStates));
        map.put(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT.key(), Boolean.toString(finalAttemptWithoutLockTimeout));
        map.put(Setting.LOG_BLOCKERS.key(), Boolean.toString(logBlockers));
        return java.util.Collections.unmodifiableMap(map);
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
        private boolean enabled = true;
        private Duration lockTimeout = Duration.ofMillis(200);
        private double lockTimeoutMultiplier = 1.0;
        private Duration maxLockTimeout = Duration.ofSeconds(5);
        private Duration statementTimeout;
        private int maxAttempts = 10;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private double backoffMultiplier = 3.0;
        private Duration maxBackoff = Duration.ofSeconds(30);
        private double jitter = 0.5;
        private Set<String> retrySqlStates = Set.of("55P03");
        private boolean finalAttemptWithoutLockTimeout;
        private boolean logBlockers = true;

        private Builder() {
        }

        private Builder(LockSafeSettings s) {
            enabled = s.enabled;
            lockTimeout = s.lockTimeout;
            lockTimeoutMultiplier = s.lockTimeoutMultiplier;
            maxLockTimeout = s.maxLockTimeout;
            statementTimeout = s.statementTimeout;
            maxAttempts = s.maxAttempts;
            initialBackoff = s.initialBackoff;
            backoffMultiplier = s.backoffMultiplier;
            maxBackoff = s.maxBackoff;
            jitter = s.jitter;
            retrySqlStates = s.retrySqlStates;
            finalAttemptWithoutLockTimeout = s.finalAttemptWithoutLockTimeout;
            logBlockers = s.logBlockers;
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
            switch (setting) {
                case ENABLED:
                    return enabled(SettingValues.parseBoolean(setting, raw));
                case LOCK_TIMEOUT:
                    return lockTimeout(SettingValues.parseDuration(setting, raw));
                case LOCK_TIMEOUT_MULTIPLIER:
                    return lockTimeoutMultiplier(SettingValues.parseDouble(setting, raw));
                case MAX_LOCK_TIMEOUT:
                    return maxLockTimeout(SettingValues.parseDuration(setting, raw));
                case STATEMENT_TIMEOUT:
                    return statementTimeout(SettingValues.parseDuration(setting, raw));
                case MAX_ATTEMPTS:
                    return maxAttempts(SettingValues.parseInt(setting, raw, 1, MAX_ATTEMPTS_LIMIT));
                case INITIAL_BACKOFF:
                    return initialBackoff(SettingValues.parseDuration(setting, raw));
                case BACKOFF_MULTIPLIER:
                    return backoffMultiplier(SettingValues.parseDouble(setting, raw));
                case MAX_BACKOFF:
                    return maxBackoff(SettingValues.parseDuration(setting, raw));
                case JITTER:
                    return jitter(SettingValues.parseDouble(setting, raw));
                case RETRY_SQL_STATES:
                    retrySqlStates = SettingValues.parseSqlStates(setting, raw);
                    return this;
                case FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT:
                    return finalAttemptWithoutLockTimeout(SettingValues.parseBoolean(setting, raw));
                case LOG_BLOCKERS:
                    return logBlockers(SettingValues.parseBoolean(setting, raw));
                default:
                    throw new AssertionError(setting);
            }
        }

        /** See {@link LockSafeSettings#enabled()}. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** See {@link LockSafeSettings#lockTimeout()}; between 1ms and 24h. */
        public Builder lockTimeout(Duration lockTimeout) {
            this.lockTimeout = checkDuration(Setting.LOCK_TIMEOUT, lockTimeout, Duration.ofMillis(1), MAX_TIMEOUT);
            return this;
        }

        /** See {@link LockSafeSettings#lockTimeoutMultiplier()}; between 1.0 and 100. */
        public Builder lockTimeoutMultiplier(double multiplier) {
            this.lockTimeoutMultiplier = checkDouble(Setting.LOCK_TIMEOUT_MULTIPLIER, multiplier, 1.0, MAX_MULTIPLIER);
            return this;
        }

        /** See {@link LockSafeSettings#maxLockTimeout()}; between 1ms and 24h. */
        public Builder maxLockTimeout(Duration maxLockTimeout) {
            this.maxLockTimeout = checkDuration(Setting.MAX_LOCK_TIMEOUT, maxLockTimeout, Duration.ofMillis(1), MAX_TIMEOUT);
            return this;
        }

        /**
         * See {@link LockSafeSettings#statementTimeout()}; between 0 (no timeout) and 24h, or
         * {@code null} to keep the server's setting.
         */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout = statementTimeout == null ? null
                    : checkDuration(Setting.STATEMENT_TIMEOUT, statementTimeout, Duration.ZERO, MAX_TIMEOUT);
            return this;
        }

        /** See {@link LockSafeSettings#maxAttempts()}; between 1 and 1000. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = checkInt(Setting.MAX_ATTEMPTS, maxAttempts, 1, MAX_ATTEMPTS_LIMIT);
            return this;
        }

        /** See {@link LockSafeSettings#initialBackoff()}; between 1ms and 1h. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = checkDuration(Setting.INITIAL_BACKOFF, initialBackoff, Duration.ofMillis(1), MAX_WAIT);
            return this;
        }

        /** See {@link LockSafeSettings#backoffMultiplier()}; between 1.0 and 100. */
        public Builder backoffMultiplier(double multiplier) {
            this.backoffMultiplier = checkDouble(Setting.BACKOFF_MULTIPLIER, multiplier, 1.0, MAX_MULTIPLIER);
            return this;
        }

        /** See {@link LockSafeSettings#maxBackoff()}; between 1ms and 1h. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = checkDuration(Setting.MAX_BACKOFF, maxBackoff, Duration.ofMillis(1), MAX_WAIT);
            return this;
        }

        /** See {@link LockSafeSettings#jitter()}; between 0 and 1. */
        public Builder jitter(double jitter) {
            this.jitter = checkDouble(Setting.JITTER, jitter, 0.0, 1.0);
            return this;
        }

        /** See {@link LockSafeSettings#retrySqlStates()}; five-character codes, at least one. */
        public Builder retrySqlStates(Set<String> sqlStates) {
            Objects.requireNonNull(sqlStates, "sqlStates");
            this.retrySqlStates = checkSqlStates(Setting.RETRY_SQL_STATES, sqlStates, String.join(",", sqlStates));
            return this;
        }

        /** See {@link LockSafeSettings#finalAttemptWithoutLockTimeout()}. */
        public Builder finalAttemptWithoutLockTimeout(boolean finalAttemptWithoutLockTimeout) {
            this.finalAttemptWithoutLockTimeout = finalAttemptWithoutLockTimeout;
            return this;
        }

        /** See {@link LockSafeSettings#logBlockers()}. */
        public Builder logBlockers(boolean logBlockers) {
            this.logBlockers = logBlockers;
            return this;
        }

        /**
         * The settings.
         *
         * @throws InvalidSettingException if two settings contradict each other
         */
        public LockSafeSettings build() {
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
