/**
 * Benchmarks anyone can rerun with one command: the downtime a blocked migration causes to an
 * application, with and without LockSafe, and LockSafe's overhead on uncontended migrations. See
 * docs/benchmarks.md.
 */
package dev.locksafe.bench;
