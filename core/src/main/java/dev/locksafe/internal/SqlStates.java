package dev.locksafe.internal;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finds SQLSTATEs in a cause chain, including chained {@link SQLException#getNextException()}. Suppressed
 * exceptions are not looked at: they are what went wrong while handling the failure (a rollback, a
 * cleanup), not why it failed, and a lock timeout suppressed there must not make an unrelated error
 * retryable.
 */
public final class SqlStates {

    private SqlStates() {
    }

    /**
     * The first SQLSTATE in {@code states} found in {@code failure}'s cause chain (and the next-exception
     * chains of the SQLExceptions in it), or {@code null}.
     */
    public static String findRetryable(Throwable failure, Set<String> states) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        return find(failure, states, seen);
    }

    private static String find(Throwable t, Set<String> states, Map<Throwable, Boolean> seen) {
        for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
            if (c instanceof SQLException) {
                String state = ((SQLException) c).getSQLState();
                if (state != null && states.contains(state)) {
                    return state;
                }
                String next = find(((SQLException) c).getNextException(), states, seen);
                if (next != null) {
                    return next;
                }
            }
        }
        return null;
    }

    /** The message of the SQLException in the chain whose SQLSTATE is {@code state}. */
    public static String messageOf(Throwable failure, String state) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException && state.equals(((SQLException) c).getSQLState())) {
                String m = c.getMessage();
                return m == null ? state : m.replaceFirst("^ERROR: ", "").lines().findFirst().orElse(m);
            }
        }
        String m = failure.getMessage();
        return m == null ? failure.toString() : m.lines().findFirst().orElse(m);
    }
}
