package dev.locksafe.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Applies and restores {@code lock_timeout} / {@code statement_timeout} with {@code set_config} and bind
 * parameters: no value ever becomes SQL text.
 */
final class SessionTimeouts {

    /*
     * One round trip. PostgreSQL evaluates a target list left to right, so the current_setting()
     * columns read the values from before the set_config() calls in the same row. A NULL statement
     * timeout keeps the current value.
     */
    private static final String APPLY = "select pg_backend_pid(), current_setting('lock_timeout'),"
            + " current_setting('statement_timeout'),"
            + " set_config('lock_timeout', ?, ?),"
            + " set_config('statement_timeout', coalesce(?, current_setting('statement_timeout')), ?)";
    private static final String RESTORE = "select pg_backend_pid(), set_config('lock_timeout', ?, ?),"
            + " set_config('statement_timeout', ?, ?)";

    /** What {@link #apply} replaced, to put back afterwards. */
    static final class Previous {
        final int backendPid;
        final String lockTimeout;
        final String statementTimeout;

        Previous(int backendPid, String lockTimeout, String statementTimeout) {
            this.backendPid = backendPid;
            this.lockTimeout = lockTimeout;
            this.statementTimeout = statementTimeout;
        }
    }

    private SessionTimeouts() {
    }

    /**
     * Sets the timeouts, transaction-locally when {@code local}.
     *
     * @param lockTimeout      {@code null} for no lock timeout (0)
     * @param statementTimeout {@code null} to keep the current value
     */
    static Previous apply(Connection c, Duration lockTimeout, Duration statementTimeout, boolean local)
            throws SQLException {
        return apply(c, null, lockTimeout, statementTimeout, local);
    }

    /**
     * Sets the timeouts after {@code before} (a savepoint), in the same round trip.
     *
     * @param before SQL without parameters to run first, or {@code null}
     */
    static Previous apply(Connection c, String before, Duration lockTimeout, Duration statementTimeout,
                          boolean local) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(before == null ? APPLY : before + "; " + APPLY)) {
            ps.setString(1, lockTimeout == null ? "0" : lockTimeout.toMillis() + "ms");
            ps.setBoolean(2, local);
            ps.setString(3, statementTimeout == null ? null : statementTimeout.toMillis() + "ms");
            ps.setBoolean(4, local);
            try (ResultSet rs = resultOf(ps)) {
                rs.next();
                return new Previous(rs.getInt(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    /** The first result set of {@code ps}, past the update counts of statements before it (a savepoint). */
    private static ResultSet resultOf(PreparedStatement ps) throws SQLException {
        if (!ps.execute() && !nextResultSet(ps)) {
            throw new SQLException("LockSafe: the session query returned no row");
        }
        return ps.getResultSet();
    }

    /** Moves to the next result set of {@code ps}, past update counts; {@code false} when there is none. */
    private static boolean nextResultSet(PreparedStatement ps) throws SQLException {
        boolean isResultSet = ps.getMoreResults();
        while (!isResultSet) {
            if (ps.getUpdateCount() == -1) {
                return false;
            }
            isResultSet = ps.getMoreResults();
        }
        return true;
    }

    /**
     * Puts back what {@link #apply} replaced.
     *
     * @return the server process that did it: outside a transaction, a different one than {@link #apply}
     *         saw means the connection is not one server session (a transaction-mode pooler)
     */
    static int restore(Connection c, Previous previous, boolean local) throws SQLException {
        return restore(c, previous, local, null, List.of());
    }

    /**
     * Puts back what {@link #apply} replaced, runs {@code after} (a savepoint's release), then {@code reads},
     * each handed its rows: all in one round trip.
     *
     * @param after SQL without parameters, or {@code null}
     */
    static int restore(Connection c, Previous previous, boolean local, String after, List<UnitEndRead> reads)
            throws SQLException {
        StringBuilder sql = new StringBuilder(RESTORE);
        if (after != null) {
            sql.append("; ").append(after);
        }
        for (UnitEndRead read : reads) {
            sql.append("; ").append(read.sql());
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, previous.lockTimeout);
            ps.setBoolean(2, local);
            ps.setString(3, previous.statementTimeout);
            ps.setBoolean(4, local);
            int restoredBy;
            try (ResultSet rs = resultOf(ps)) {
                rs.next();
                restoredBy = rs.getInt(1);
            }
            for (UnitEndRead read : reads) {
                if (!nextResultSet(ps)) {
                    throw new SQLException("LockSafe: no rows came back for " + read);
                }
                try (ResultSet rows = ps.getResultSet()) {
                    read.read(rows);
                }
            }
            return restoredBy;
        }
    }
}
