package dev.locksafe;

import dev.locksafe.internal.ProbeDriverProperties;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

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

    /**
     * A source that connects to {@code url} through {@link DriverManager} with the migration connection's
     * own driver properties ({@code properties}, credentials included; copied now), as a blocker lookup
     * should: it names itself {@code locksafe-probe} to other sessions, and its connect and login are
     * bounded (5 s unless {@code properties} or the URL set {@code connectTimeout} / {@code loginTimeout}),
     * since the lookup may fail or come late but must never hang.
     */
    static ConnectionSource fromUrl(String url, Properties properties) {
        Objects.requireNonNull(url, "url");
        Properties lookup = ProbeDriverProperties.of(properties);
        return () -> DriverManager.getConnection(url, lookup);
    }

    /**
     * As {@link #fromUrl}, through a given JDBC driver: for a host that loads its driver itself, outside
     * {@link DriverManager}'s view (Liquibase's command line, for one).
     */
    static ConnectionSource fromDriver(Driver driver, String url, Properties properties) {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(url, "url");
        Properties lookup = ProbeDriverProperties.of(properties);
        return () -> driver.connect(url, lookup);
    }
}
