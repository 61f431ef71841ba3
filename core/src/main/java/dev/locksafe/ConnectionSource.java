package dev.locksafe;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a second connection to the database being migrated. LockSafe uses it only to look up the
 * blocking sessions while a migration statement waits for a lock ({@code pg_blocking_pids()} reports
 * blockers only during the wait, and the waiting connection itself is busy). It is opened on the first
 * wait that lasts long enough to look, kept for the life of the {@link LockSafe} instance, and closed
 * by {@link LockSafe#close()}.
 */
@FunctionalInterface
public interface ConnectionSource {

    /** Opens a new connection; the caller closes it. */
    Connection open() throws SQLException;

    /** A source from a {@link javax.sql.DataSource}. */
    static ConnectionSource of(javax.sql.DataSource dataSource) {
        return dataSource::getConnection;
    }
}
