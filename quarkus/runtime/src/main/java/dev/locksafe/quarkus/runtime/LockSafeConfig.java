package dev.locksafe.quarkus.runtime;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * LockSafe's settings as Quarkus configuration: {@code quarkus.locksafe.lock-timeout=200ms} in
 * {@code application.properties}, {@code QUARKUS_LOCKSAFE_LOCK_TIMEOUT=200ms} in the environment. One
 * key per row of LockSafe's settings table ({@code dev.locksafe.Setting}), in kebab case, with the same
 * defaults; each value is text, checked by LockSafe when the application starts, so a bad value stops
 * it with LockSafe's message (key, value, what is accepted). They apply to every data source's Flyway
 * and Liquibase migrations.
 */
@ConfigMapping(prefix = "quarkus.locksafe")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface LockSafeConfig {

    /**
     * Turn LockSafe off without removing the dependency.
     */
    @WithDefault("true")
    String enabled();

    /**
     * {@code lock_timeout} of the first attempt: how long a migration statement may wait for its lock
     * before LockSafe releases every lock and retries. A duration such as {@code 250ms}, {@code 2s},
     * {@code PT2S}, or milliseconds.
     */
    @WithDefault("200ms")
    String lockTimeout();

    /**
     * Growth of {@code lock_timeout} per attempt (GitLab-style escalation when greater than 1).
     */
    @WithDefault("1.0")
    String lockTimeoutMultiplier();

    /**
     * Cap for {@code lock_timeout} escalation.
     */
    @WithDefault("5s")
    String maxLockTimeout();

    /**
     * {@code statement_timeout} for migration statements (unset: the server's; {@code 0}: none).
     */
    Optional<String> statementTimeout();

    /**
     * Attempts in all, the first included.
     */
    @WithDefault("10")
    String maxAttempts();

    /**
     * Longest wait after the first failed attempt (LockSafe retries as soon as the sessions that blocked
     * it have ended).
     */
    @WithDefault("1s")
    String initialBackoff();

    /**
     * Exponential growth of the wait.
     */
    @WithDefault("3.0")
    String backoffMultiplier();

    /**
     * Cap of one wait.
     */
    @WithDefault("30s")
    String maxBackoff();

    /**
     * Randomization factor of each wait (0 = none).
     */
    @WithDefault("0.5")
    String jitter();

    /**
     * Comma-separated SQLSTATEs that trigger a retry (add {@code 40P01} to retry deadlocks).
     */
    @WithDefault("55P03")
    String retrySqlStates();

    /**
     * Whether the last attempt waits for its locks without {@code lock_timeout} (GitLab's last resort).
     */
    @WithDefault("false")
    String finalAttemptWithoutLockTimeout();

    /**
     * Whether the sessions blocking a failed attempt are looked up and logged.
     */
    @WithDefault("true")
    String logBlockers();

    /**
     * Zero-downtime-deployment check of each migration: {@code off}, {@code warn} (log findings) or
     * {@code fail} (roll back a migration with an error finding, which stops the start).
     */
    @WithDefault("warn")
    String check();

    /**
     * ZDD findings accepted from configuration (for Java migrations, say), reported as allowed:
     * comma-separated {@code RULE:object} entries such as {@code B101:public.orders.note}.
     */
    Optional<String> checkAllow();

    /**
     * ZDD rules' severity changed, or a rule turned off: comma-separated
     * {@code RULE:error|warning|info|off} entries such as {@code B106:error,L206:off}.
     */
    Optional<String> checkSeverity();

    /**
     * ZDD rule L209: longest a migration may keep a production table locked against writes.
     */
    @WithDefault("1s")
    String checkMaxExclusiveHold();

    /**
     * Schemas the ZDD check reads and judges, comma-separated ({@code public,billing}; unset: all but
     * PostgreSQL's own).
     */
    Optional<String> checkSchemas();

    /**
     * Directory for the ZDD reports {@code locksafe-zdd.json} and {@code locksafe-zdd-junit.xml}
     * (unset: none).
     */
    Optional<String> checkReport();
}
