/**
 * The engine behind {@link dev.locksafe.LockSafe}. Not API: these types may change in any release.
 */
package dev.locksafe.internal;
