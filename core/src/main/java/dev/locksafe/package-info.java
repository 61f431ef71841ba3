/**
 * LockSafe: lock-safe PostgreSQL schema migrations.
 *
 * <p>The entry point is {@link dev.locksafe.LockSafe}: it runs a unit of migration work with a bounded
 * {@code lock_timeout}, and when the timeout fires it releases every lock the unit took, backs off
 * (exponential, with jitter) and runs the unit again. Its policy is an immutable
 * {@link dev.locksafe.LockSafeSettings}; what happens on each attempt is reported to an
 * {@link dev.locksafe.AttemptListener}.
 *
 * <p>This package knows nothing of Flyway or Liquibase; the adapters in {@code locksafe-flyway} and
 * {@code locksafe-liquibase} call it. Parameters and return values are non-null unless documented
 * otherwise. Types in {@code dev.locksafe.internal} are not API.
 */
package dev.locksafe;
