package dev.locksafe.liquibase;

import dev.locksafe.ConnectionSource;
import dev.locksafe.Registration;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Second connections for looking up blocking sessions when Liquibase was handed open connections (from
 * an application's {@code DataSource}, as Spring does) rather than a URL. Registered per database URL
 * and user, as the JDBC driver reports them; the Spring Boot starter registers the data source of each
 * {@code SpringLiquibase}.
 */
public final class ProbeConnections {

    private static final Map<String, ConnectionSource> BY_URL_AND_USER = new ConcurrentHashMap<>();

    private ProbeConnections() {
    }

    /**
     * Registers {@code source} for the database its connections go to; opens (and closes) one connection
     * to learn the URL and user.
     */
    public static Registration register(ConnectionSource source) throws SQLException {
        Objects.requireNonNull(source, "source");
        String key;
        try (Connection c = source.open()) {
            key = key(c);
        }
        BY_URL_AND_USER.put(key, source);
        return () -> BY_URL_AND_USER.remove(key, source);
    }

    /** The source registered for the database and user of {@code connection}, or {@code null}. */
    static ConnectionSource forConnection(Connection connection) {
        if (connection == null || BY_URL_AND_USER.isEmpty()) {
            return null;
        }
        try {
            return BY_URL_AND_USER.get(key(connection));
        } catch (SQLException e) {
            return null;
        }
    }

    private static String key(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        return meta.getURL() + '\u0000' + meta.getUserName();
    }
}
