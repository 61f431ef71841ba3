package dev.locksafe;

import dev.locksafe.internal.InvalidIndexCleaner;

/** How LockSafe reads a statement's text, for integrations that must decide the same way it does. */
public final class Statements {

    private Statements() {
    }

    /**
     * Whether {@code sql} is a {@code CREATE [UNIQUE] INDEX CONCURRENTLY}, comments before it allowed: a
     * statement that cannot run inside a transaction block and whose failed attempt leaves an INVALID
     * index that LockSafe drops before the next attempt.
     */
    public static boolean isConcurrentIndexBuild(String sql) {
        return InvalidIndexCleaner.isConcurrentIndexBuild(sql);
    }
}
