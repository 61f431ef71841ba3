/**
 * LockSafe for Flyway: a drop-in plugin, found by Flyway through {@code ServiceLoader}, that runs every
 * PostgreSQL migration through the LockSafe retry engine.
 *
 * <p>Settings are read from Flyway's own configuration under the {@code locksafe} namespace
 * ({@code flyway.locksafe.lockTimeout=200ms}, {@code [flyway.locksafe]} in TOML,
 * {@code FLYWAY_LOCKSAFE_LOCK_TIMEOUT}); see {@link dev.locksafe.flyway.LockSafeConfigurationExtension}.
 */
package dev.locksafe.flyway;
