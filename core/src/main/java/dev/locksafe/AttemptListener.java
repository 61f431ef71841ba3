package dev.locksafe;

import dev.locksafe.LogSink;
import dev.locksafe.internal.LoggingAttemptListener;
import org.slf4j.Logger;

/**
 * Receives what happens on the attempts of a unit of migration work. Every method has a no-op
 * default, so an implementation overrides only what it needs. Called on the migrating thread;
 * an exception thrown by a listener is logged and never breaks a migration.
 */
public interface AttemptListener {

    /** An attempt failed with a retryable error, its locks were released, and it will be retried. */
    default void onRetry(AttemptEvent event) {
    }

    /** The unit succeeded after one or more retries (called before {@link #onSuccess}). */
    default void onSuccessAfterRetry(AttemptEvent event) {
    }

    /**
     * The unit succeeded, on its first attempt ({@link AttemptEvent.Type#SUCCESS}) or after retries
     * ({@link AttemptEvent.Type#SUCCESS_AFTER_RETRY}). Called once per successful unit: for counting.
     */
    default void onSuccess(AttemptEvent event) {
    }

    /** The last attempt failed with a retryable error; the unit fails. */
    default void onExhausted(AttemptEvent event) {
    }

    /**
     * The ZDD check judged a migration and found this, allowed findings included: once per finding, before
     * the migration commits (or is rolled back for it in {@code check=fail}).
     *
     * @param tool {@code flyway}, {@code liquibase} or {@code api}
     */
    default void onFinding(String tool, dev.locksafe.check.Finding finding) {
    }

    /**
     * The default listener: one line per event through SLF4J logger {@code dev.locksafe.LockSafe}
     * (WARN for retries and exhaustion, INFO for success after retries).
     */
    static AttemptListener logging() {
        return LoggingAttemptListener.slf4j();
    }

    /** The default listener's messages, written to the given SLF4J logger. */
    static AttemptListener logging(Logger logger) {
        return logging(LogSink.of(logger));
    }

    /**
     * The default listener's messages, written to {@code sink}: how an integration puts the attempt lines
     * in its host tool's output. Given to {@link LockSafe.Builder#listener}, it also carries the engine's
     * own warnings (a blocker lookup that failed, a listener that threw) to the same sink.
     */
    static AttemptListener logging(LogSink sink) {
        return new LoggingAttemptListener(java.util.Objects.requireNonNull(sink, "sink"));
    }
}
