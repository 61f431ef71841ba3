/**
 * LockSafe for Liquibase: a drop-in extension, found by Liquibase through {@code ServiceLoader}, that
 * runs every PostgreSQL changeset through the LockSafe retry engine.
 *
 * <p>Settings are Liquibase configuration definitions under {@code liquibase.locksafe}: see
 * {@link dev.locksafe.liquibase.LockSafeConfiguration}.
 */
package dev.locksafe.liquibase;
