/**
 * The build steps of LockSafe's Quarkus extension: which of quarkus-flyway, quarkus-liquibase and
 * quarkus-micrometer the application has, what to record for each, and what native mode needs registered.
 */
package dev.locksafe.quarkus.deployment;
