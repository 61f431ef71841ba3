package dev.locksafe;

import java.util.Locale;

/**
 * Every LockSafe setting, with its key, its default and what it means. The keys are the same in every
 * front end; each adapter only adds its prefix ({@code flyway.locksafe.}, {@code liquibase.locksafe.},
 * {@code locksafe.}).
 *
 * <p>Adapters use this enum to declare the settings to their host tool, so that a key is spelled in one
 * place only.
 */
public enum Setting {
    /** Turns LockSafe off without removing the jar. */
    ENABLED("enabled", "true", "Turn LockSafe off without removing the jar."),
    /** The {@code lock_timeout} of the first attempt. */
    LOCK_TIMEOUT("lockTimeout", "200ms", "lock_timeout of the first attempt."),
    /** Growth of {@code lock_timeout} from one attempt to the next (1.0 = constant). */
    LOCK_TIMEOUT_MULTIPLIER("lockTimeoutMultiplier", "1.0",
            "Growth of lock_timeout per attempt (GitLab-style escalation when > 1)."),
    /** Upper bound of an escalated {@code lock_timeout}. */
    MAX_LOCK_TIMEOUT("maxLockTimeout", "5s", "Cap for lock_timeout escalation."),
    /** {@code statement_timeout} for migration statements; unset keeps the server's value. */
    STATEMENT_TIMEOUT("statementTimeout", "",
            "statement_timeout for migration statements (unset = the server's; 0 = none)."),
    /** Attempts in all, the first included. */
    MAX_ATTEMPTS("maxAttempts", "10", "Attempts in all, the first included."),
    /** Wait after the first failed attempt. */
    INITIAL_BACKOFF("initialBackoff", "1s", "Longest wait after the first failed attempt."),
    /** Exponential growth of the wait between attempts. */
    BACKOFF_MULTIPLIER("backoffMultiplier", "3.0", "Exponential growth of the wait."),
    /** Cap of one wait. */
    MAX_BACKOFF("maxBackoff", "30s", "Cap of one wait."),
    /** Randomization factor of each wait: 0.5 means anywhere in [0.5 x, 1.5 x]. */
    JITTER("jitter", "0.5", "Randomization factor of each wait (0 = none)."),
    /** SQLSTATEs that trigger a retry when found anywhere in the cause chain. */
    RETRY_SQL_STATES("retrySqlStates", "55P03",
            "Comma-separated SQLSTATEs that trigger a retry (e.g. add 40P01)."),
    /** Whether the last attempt waits for its locks without {@code lock_timeout}. */
    FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT("finalAttemptWithoutLockTimeout", "false",
            "Last attempt waits without lock_timeout (GitLab's last resort)."),
    /** Whether the blocking sessions are looked up and reported on each failed attempt. */
    LOG_BLOCKERS("logBlockers", "true", "Query and log the blocking sessions on each failed attempt.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
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
}
