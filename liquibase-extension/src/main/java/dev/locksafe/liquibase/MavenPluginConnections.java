package dev.locksafe.liquibase;

import dev.locksafe.ConnectionSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import liquibase.Scope;

/**
 * The blocker lookup's connection under {@code liquibase-maven-plugin}. The plugin bundles Liquibase's
 * commercial extension, whose connection class outranks {@link LockSafeJdbcConnection}, so LockSafe does not
 * see how the connection was opened. The plugin does publish its evaluated {@code <configuration>} in
 * Liquibase's scope ({@code mavenConfigurationProperties}): when its {@code url} and {@code username} are
 * those of the migrating connection, the lookup connects with them and the configured {@code password}. The
 * commercial extension keeps its connection; the credentials stay in memory and are never logged.
 */
final class MavenPluginConnections {

    /** {@code Scope.Attr.mavenConfigurationProperties}, by name: the constant is not in every supported Liquibase. */
    static final String SCOPE_KEY = "mavenConfigurationProperties";

    private MavenPluginConnections() {
    }

    /**
     * A source for the database and user of {@code connection}, from the Maven plugin's configuration in
     * the current scope, or {@code null}: not run by the plugin, or configured for another database or user
     * (the password may then come from a property file LockSafe does not read).
     */
    static ConnectionSource forConnection(Connection connection) {
        Map<?, ?> configuration = Scope.getCurrentScope().get(SCOPE_KEY, Map.class);
        if (connection == null || configuration == null) {
            return null;
        }
        String url = text(configuration.get("url"));
        String user = text(configuration.get("username"));
        String password = text(configuration.get("password"));
        if (url == null || password == null) {
            return null;
        }
        try {
            DatabaseMetaData meta = connection.getMetaData();
            if (!url.equals(meta.getURL()) || (user != null && !user.equals(meta.getUserName()))) {
                return null;
            }
            Properties properties = new Properties();
            properties.setProperty("user", user != null ? user : meta.getUserName());
            properties.setProperty("password", password);
            return ConnectionSource.fromDriver(java.sql.DriverManager.getDriver(url), url, properties);
        } catch (SQLException e) {
            return null;
        }
    }

    private static String text(Object value) {
        String s = Objects.toString(value, null);
        return s == null || s.isEmpty() ? null : s;
    }
}
