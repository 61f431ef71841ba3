/**
 * LockSafe in Micronaut applications: {@code locksafe.*} ({@link dev.locksafe.micronaut.MicronautSettings}),
 * handed to micronaut-flyway and micronaut-liquibase as each data source starts, without replacing an
 * application's own beans. Applications add {@code locksafe-micronaut} and configure.
 */
package dev.locksafe.micronaut;
