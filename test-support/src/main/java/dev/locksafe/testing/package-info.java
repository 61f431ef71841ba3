/**
 * The test harness: a real PostgreSQL for each test class (embedded by default, Testcontainers or an
 * external server on request), a fresh database for each test, and contention helpers that hold real
 * locks from real sessions and wait on {@code pg_locks} / {@code pg_stat_activity} instead of sleeping.
 *
 * <p>Selected with system properties:
 * <ul>
 *   <li>{@code locksafe.test.postgres} = {@code embedded} (default), {@code testcontainers} or
 *       {@code external};</li>
 *   <li>{@code locksafe.test.postgres.version} = 12, 14, 16, 17 (default) or 18; with embedded, the
 *       Maven profile of the same number puts the matching binaries on the classpath;</li>
 *   <li>{@code locksafe.test.jdbcUrl} (implies external), with {@code locksafe.test.user} and
 *       {@code locksafe.test.password}: a server where the user may create databases.</li>
 * </ul>
 */
package dev.locksafe.testing;
