package dev.locksafe.spring.boot;

import dev.locksafe.LockSafeSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * LockSafe's settings as Spring Boot properties under {@code locksafe.*}: the keys and defaults of
 * {@link dev.locksafe.Setting} in kebab case, with relaxed binding ({@code locksafe.lock-timeout=200ms},
 * {@code LOCKSAFE_LOCK_TIMEOUT=200ms}). Applied to the Flyway and Liquibase that Boot runs at startup.
 */
@ConfigurationProperties(prefix = "locksafe")
public class LockSafeProperties {

    /** Whether LockSafe bounds and retries migrations; false turns it off without removing the jar. */
    private boolean enabled = true;

    /** lock_timeout of the first attempt. */
    private Duration lockTimeout = Duration.ofMillis(200);

    /** Growth of lock_timeout per attempt (GitLab-style escalation when above 1). */
    private double lockTimeoutMultiplier = 1.0;

    /** Cap for lock_timeout escalation. */
    private Duration maxLockTimeout = Duration.ofSeconds(5);

    /** statement_timeout for each attempt; unset keeps the server's. */
    private Duration statementTimeout;

    /** Attempts in all, the first included. */
    private int maxAttempts = 10;

    /** Wait after the first failed attempt. */
    private Duration initialBackoff = Duration.ofSeconds(1);

    /** Exponential growth of the wait. */
    private double backoffMultiplier = 3.0;

    /** Cap of one wait. */
    private Duration maxBackoff = Duration.ofSeconds(30);

    /** Randomization factor of each wait (0 = none). */
    private double jitter = 0.5;

    /** SQLSTATEs that are retried: 55P03 (lock_timeout); add 40P01 to retry deadlocks. */
    private List<String> retrySqlStates = new ArrayList<>(List.of("55P03"));

    /** Whether the last attempt waits without lock_timeout (GitLab's last resort). */
    private boolean finalAttemptWithoutLockTimeout = false;

    /** Whether to look up and log the sessions that blocked a failed attempt. */
    private boolean logBlockers = true;

    /**
     * The settings these properties describe.
     *
     * @throws dev.locksafe.InvalidSettingException naming the key when a value is out of range
     */
    public LockSafeSettings toSettings() {
        return LockSafeSettings.builder()
                .enabled(enabled)
                .lockTimeout(lockTimeout)
                .lockTimeoutMultiplier(lockTimeoutMultiplier)
                .maxLockTimeout(maxLockTimeout)
                .statementTimeout(statementTimeout)
                .maxAttempts(maxAttempts)
                .initialBackoff(initialBackoff)
                .backoffMultiplier(backoffMultiplier)
                .maxBackoff(maxBackoff)
                .jitter(jitter)
                .retrySqlStates(new LinkedHashSet<>(retrySqlStates))
                .finalAttemptWithoutLockTimeout(finalAttemptWithoutLockTimeout)
                .logBlockers(logBlockers)
                .build();
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getLockTimeout() {
        return lockTimeout;
    }

    public void setLockTimeout(Duration lockTimeout) {
        this.lockTimeout = lockTimeout;
    }

    public double getLockTimeoutMultiplier() {
        return lockTimeoutMultiplier;
    }

    public void setLockTimeoutMultiplier(double lockTimeoutMultiplier) {
        this.lockTimeoutMultiplier = lockTimeoutMultiplier;
    }

    public Duration getMaxLockTimeout() {
        return maxLockTimeout;
    }

    public void setMaxLockTimeout(Duration maxLockTimeout) {
        this.maxLockTimeout = maxLockTimeout;
    }

    public Duration getStatementTimeout() {
        return statementTimeout;
    }

    public void setStatementTimeout(Duration statementTimeout) {
        this.statementTimeout = statementTimeout;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getInitialBackoff() {
        return initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public double getBackoffMultiplier() {
        return backoffMultiplier;
    }

    public void setBackoffMultiplier(double backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public Duration getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public double getJitter() {
        return jitter;
    }

    public void setJitter(double jitter) {
        this.jitter = jitter;
    }

    public List<String> getRetrySqlStates() {
        return retrySqlStates;
    }

    public void setRetrySqlStates(List<String> retrySqlStates) {
        this.retrySqlStates = retrySqlStates;
    }

    public boolean isFinalAttemptWithoutLockTimeout() {
        return finalAttemptWithoutLockTimeout;
    }

    public void setFinalAttemptWithoutLockTimeout(boolean finalAttemptWithoutLockTimeout) {
        this.finalAttemptWithoutLockTimeout = finalAttemptWithoutLockTimeout;
    }

    public boolean isLogBlockers() {
        return logBlockers;
    }

    public void setLogBlockers(boolean logBlockers) {
        this.logBlockers = logBlockers;
    }
}
