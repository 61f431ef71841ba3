/**
 * The Spring Boot starter: {@code locksafe.*} properties, checked at startup, handed to the Flyway and
 * Liquibase that Boot runs, with the application's metrics. Nothing here replaces a bean the application
 * defines. Not API beyond {@link dev.locksafe.spring.boot.LockSafeProperties} and the auto-configuration.
 */
package dev.locksafe.spring.boot;
