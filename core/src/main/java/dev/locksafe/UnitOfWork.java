package dev.locksafe;

/**
 * The migration work LockSafe runs and, after a retryable failure, runs again: a Flyway migration, a
 * Liquibase changeset, one statement.
 *
 * @param <T> the result
 * @param <X> the checked exception the work throws; LockSafe rethrows it unchanged when it is not
 *            retryable
 */
@FunctionalInterface
public interface UnitOfWork<T, X extends Exception> {

    /** Runs the work once. */
    T run() throws X;
}
