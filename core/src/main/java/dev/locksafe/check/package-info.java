/**
 * The zero-downtime-deployment check: judges each migration from what PostgreSQL records (the catalog
 * before and after it, its own locks, rewrites, its scans) against the schema at the start of the run, and
 * reports backward-incompatible (B1xx) and lock-heavy (L2xx) changes with their two-release recipes. The
 * Flyway and Liquibase extensions run it around each migration; {@link dev.locksafe.check.ZddCheck} is the
 * entry point for other integrations. See docs/zdd.md.
 */
package dev.locksafe.check;
