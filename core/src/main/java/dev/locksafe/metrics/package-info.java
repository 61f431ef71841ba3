/**
 * LockSafe's attempts as Micrometer meters ({@link dev.locksafe.metrics.LockSafeMetrics}). Micrometer is
 * an optional dependency of {@code locksafe-core}: only this package needs it.
 */
package dev.locksafe.metrics;
