package dev.locksafe.liquibase;

import dev.locksafe.ConnectionSource;
import java.sql.Driver;
import java.util.Properties;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;

/**
 * Liquibase's JDBC connection for {@code jdbc:postgresql:} URLs, remembering how it was opened so that
 * LockSafe can open a second connection to look up blocking sessions. The credentials stay in memory,
 * are never logged, and are used only for that second connection.
 */
public class LockSafeJdbcConnection extends JdbcConnection {

    private ConnectionSource probeConnections;

    /** Used by Liquibase's service loader. */
    public LockSafeJdbcConnection() {
    }

    @Override
    public int getPriority() {
        return super.getPriority() + 5;
    }

    @Override
    public boolean supports(String url) {
        return url != null && url.startsWith("jdbc:postgresql:");
    }

    @Override
    public void open(String url, Driver driverObject, Properties driverProperties) throws DatabaseException {
        super.open(url, driverObject, driverProperties);
        this.probeConnections = ConnectionSource.fromDriver(driverObject, url, driverProperties);
    }

    /** Opens connections like this one, or {@code null} when it was not opened from a URL. */
    ConnectionSource probeConnections() {
        return probeConnections;
    }
}
