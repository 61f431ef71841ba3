package dev.locksafe;

import java.time.Duration;
import java.util.Locale;

/**
 * Every LockSafe setting, with its key, its default and what it means. The keys are the same in every
 * front end; each adapter only adds its prefix ({@code flyway.locksafe.}, {@code liquibase.locksafe.},
 * {@code locksafe.}).
 *
 * <p>This enum is the one definition of each setting: key, type, accepted range, default and
 * description. {@link LockSafeSettings}, its builder and every front end (Flyway, Liquibase, Spring Boot)
 * are derived from it, so a new key is added here and nowhere else by hand.
 */
public enum Setting {
    /** Turns LockSafe off without removing the jar. */
    ENABLED("enabled", SettingType.BOOLEAN, "true", "Turn LockSafe off without removing the jar."),
    /** The {@code lock_timeout} of the first attempt. */
    LOCK_TIMEOUT("lockTimeout", SettingType.duration(Duration.ofMillis(1), Limits.MAX_TIMEOUT), "200ms",
            "lock_timeout of the first attempt."),
    /** Growth of {@code lock_timeout} from one attempt to the next (1.0 = constant). */
    LOCK_TIMEOUT_MULTIPLIER("lockTimeoutMultiplier", SettingType.decimal(1.0, Limits.MAX_MULTIPLIER), "1.0",
            "Growth of lock_timeout per attempt (GitLab-style escalation when > 1)."),
    /** Upper bound of an escalated {@code lock_timeout}. */
    MAX_LOCK_TIMEOUT("maxLockTimeout", SettingType.duration(Duration.ofMillis(1), Limits.MAX_TIMEOUT), "5s",
            "Cap for lock_timeout escalation."),
    /** {@code statement_timeout} for migration statements; unset keeps the server's value. */
    STATEMENT_TIMEOUT("statementTimeout", SettingType.duration(Duration.ZERO, Limits.MAX_TIMEOUT), "",
            "statement_timeout for migration statements (unset = the server's; 0 = none)."),
    /** Attempts in all, the first included. */
    MAX_ATTEMPTS("maxAttempts", SettingType.wholeNumber(1, Limits.MAX_ATTEMPTS), "10",
            "Attempts in all, the first included."),
    /** Wait after the first failed attempt. */
    INITIAL_BACKOFF("initialBackoff", SettingType.duration(Duration.ofMillis(1), Limits.MAX_WAIT), "1s",
            "Longest wait after the first failed attempt."),
    /** Exponential growth of the wait between attempts. */
    BACKOFF_MULTIPLIER("backoffMultiplier", SettingType.decimal(1.0, Limits.MAX_MULTIPLIER), "3.0",
            "Exponential growth of the wait."),
    /** Cap of one wait. */
    MAX_BACKOFF("maxBackoff", SettingType.duration(Duration.ofMillis(1), Limits.MAX_WAIT), "30s",
            "Cap of one wait."),
    /** Randomization factor of each wait: 0.5 means anywhere in [0.5 x, 1.5 x]. */
    JITTER("jitter", SettingType.decimal(0.0, 1.0), "0.5", "Randomization factor of each wait (0 = none)."),
    /** SQLSTATEs that trigger a retry when found anywhere in the cause chain. */
    RETRY_SQL_STATES("retrySqlStates", SettingType.SQL_STATES, "55P03",
            "Comma-separated SQLSTATEs that trigger a retry (e.g. add 40P01)."),
    /** Whether the last attempt waits for its locks without {@code lock_timeout}. */
    FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT("finalAttemptWithoutLockTimeout", SettingType.BOOLEAN, "false",
            "Last attempt waits without lock_timeout (GitLab's last resort)."),
    /** Whether the blocking sessions are looked up and reported on each failed attempt. */
    LOG_BLOCKERS("logBlockers", SettingType.BOOLEAN, "true",
            "Query and log the blocking sessions on each failed attempt."),
    /** The zero-downtime-deployment check: off, warn (log findings) or fail (roll back on an error finding). */
    CHECK("check", SettingType.oneOf(dev.locksafe.check.CheckMode.class), "warn",
            "ZDD check of each migration: off, warn (log findings) or fail (roll back a migration with an error finding)."),
    /** Findings accepted from configuration, by rule and object: {@code B101:public.orders.note}. */
    CHECK_ALLOW("checkAllow", SettingType.text(dev.locksafe.check.AllowList.class, dev.locksafe.check.AllowList::parse,
            "comma-separated RULE:object entries, such as B101:public.orders.note or B103:public.orders.*"), "",
            "ZDD findings accepted from configuration (for Java migrations, say), reported as allowed."),
    /** Severity overrides per rule: {@code B106:error,L206:off}. */
    CHECK_SEVERITY("checkSeverity", SettingType.text(dev.locksafe.check.SeverityOverrides.class,
            dev.locksafe.check.SeverityOverrides::parse,
            "comma-separated RULE:error|warning|info|off entries, such as B106:error,L206:off"), "",
            "ZDD rules' severity changed, or a rule turned off."),
    /** ZDD rule L209: how long one migration may keep a production table locked against writes. */
    CHECK_MAX_EXCLUSIVE_HOLD("checkMaxExclusiveHold", SettingType.duration(Duration.ofMillis(10), Limits.MAX_WAIT),
            "1s", "ZDD rule L209: longest a migration may keep a production table locked against writes."),
    /** The schemas the ZDD check reads and judges: {@code public,billing}; every non-system schema when unset. */
    CHECK_SCHEMAS("checkSchemas", SettingType.text(dev.locksafe.check.CheckedSchemas.class,
            dev.locksafe.check.CheckedSchemas::parse, "comma-separated schema names, such as public,billing"), "",
            "Schemas the ZDD check reads and judges (unset = all but PostgreSQL's own)."),
    /** Directory for the JSON and JUnit XML reports. */
    CHECK_REPORT("checkReport", SettingType.text(java.nio.file.Path.class, java.nio.file.Path::of,
            "a directory path"), "",
            "Directory for the ZDD reports locksafe-zdd.json and locksafe-zdd-junit.xml (unset = none).");

    /** Bounds shared by several settings (an enum constant cannot read the enum's own static fields). */
    static final class Limits {
        static final Duration MAX_TIMEOUT = Duration.ofHours(24);
        static final Duration MAX_WAIT = Duration.ofHours(1);
        static final double MAX_MULTIPLIER = 100.0;
        static final int MAX_ATTEMPTS = 1000;

        private Limits() {
        }
    }

    private final String key;
    private final SettingType type;
    private final String defaultValue;
    private final String description;

    Setting(String key, SettingType type, String defaultValue, String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** How this setting's values are parsed, checked and written. */
    SettingType type() {
        return type;
    }

    /** The key in camelCase, for example {@code lockTimeout}. */
    public String key() {
        return key;
    }

    /**
     * The setting {@code rawKey} names in any of its forms ({@code lockTimeout}, {@code lock-timeout},
     * {@code LOCK_TIMEOUT}, any letter case), if any.
     */
    public static java.util.Optional<Setting> find(String rawKey) {
        String normalized = rawKey.trim().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        for (Setting s : values()) {
            if (s.key().toLowerCase(Locale.ROOT).equals(normalized)) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    /** The key in kebab-case, for example {@code lock-timeout} (Spring Boot style). */
    public String kebabKey() {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The key in UPPER_SNAKE_CASE, for example {@code LOCK_TIMEOUT} (environment variable style). */
    public String upperSnakeKey() {
        return name();
    }

    /** The default as text; empty for {@link #STATEMENT_TIMEOUT}, which is unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** One sentence for help output and docs. */
    public String description() {
        return description;
    }

    /** What values are accepted, for help output and docs: {@code a whole number between 1 and 1000}. */
    public String accepted() {
        return type.accepted();
    }

    /**
     * The Java type of the value: {@code Boolean}, {@code Duration}, {@code Integer}, {@code Double}, or
     * {@code Set} (of SQLSTATE strings). For a front end that binds values with their type.
     */
    public Class<?> valueType() {
        return type.valueType();
    }
}
