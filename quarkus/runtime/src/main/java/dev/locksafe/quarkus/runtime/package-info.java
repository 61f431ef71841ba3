/**
 * The runtime half of LockSafe's Quarkus extension: {@code quarkus.locksafe.*} ({@link
 * dev.locksafe.quarkus.runtime.LockSafeConfig}), read into LockSafe's settings by {@link
 * dev.locksafe.quarkus.runtime.QuarkusSettings} and handed to the Flyway and Liquibase that Quarkus runs at
 * start by the recorders the deployment module records. Applications add {@code locksafe-quarkus} and
 * configure; nothing here is called from application code.
 */
package dev.locksafe.quarkus.runtime;
