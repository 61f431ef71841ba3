package dev.locksafe.flyway;

import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.check.AllowMarkers;
import dev.locksafe.check.ZddCheck;
import java.sql.Connection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;

/**
 * What LockSafe knows about one connection Flyway opened: its configuration and settings, whether a
 * migration is running on it, and that migration's name.
 *
 * <p>Flyway's database types are JVM-wide singletons whose migration hooks only see a
 * {@link Connection}; {@code alterConnectionAsNeeded} is the one hook that sees the connection with its
 * configuration, so sessions are kept per connection, with weak keys so that a closed connection
 * cannot leak.
 */
final class MigrationSession {

    private static final Map<Connection, MigrationSession> BY_CONNECTION =
            Collections.synchronizedMap(new WeakHashMap<>());

    final Configuration configuration;
    final LockSafeSettings settings;
    /** The application's own listeners of this Flyway instance (its metrics), besides Flyway's log. */
    private final List<AttemptListener> applicationListeners;
    /** True only while a migration runs: keeps retries away from callbacks and schema-history work. */
    volatile boolean migrating;
    /** The running migration's script name, once Flyway's script executor has told us. */
    volatile String scriptName;
    volatile boolean warnedAboutTransactionalLock;
    /** The ZDD check of this run (one migrate on this connection). */
    final ZddCheck check;
    /** The allow markers of the running migration's script. */
    volatile AllowMarkers allowMarkers = AllowMarkers.none();
    volatile boolean toldNonTransactionalIsNotJudged;

    private MigrationSession(Configuration configuration, LockSafeSettings settings) {
        this.configuration = configuration;
        this.settings = settings;
        LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(configuration);
        this.applicationListeners = extension == null ? List.of() : extension.attemptListeners();
        this.check = ZddCheck.forRun("flyway", settings, Set.of(configuration.getTable()));
        applicationListeners.forEach(check::addListener); // the application's metrics count the findings too
    }

    /**
     * Reads and checks the settings of {@code configuration}; registers a session for
     * {@code connection} when LockSafe is enabled.
     *
     * @return the settings as configured (before the group=true adjustment)
     * @throws FlywayException naming {@code flyway.locksafe.<key>} when a value cannot be used
     */
    static LockSafeSettings open(Connection connection, Configuration configuration) {
        LockSafeSettings configured = settings(configuration);
        if (!configured.enabled()) {
            return configured;
        }
        LockSafeSettings settings = configured;
        if (configuration.isGroup()) {
            settings = settings.toBuilder().maxAttempts(1).build();
        }
        BY_CONNECTION.put(connection, new MigrationSession(configuration, settings));
        return configured;
    }

    static MigrationSession of(Connection connection) {
        return BY_CONNECTION.get(connection);
    }

    static LockSafeSettings settings(Configuration configuration) {
        LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(configuration);
        if (extension == null) {
            return LockSafeSettings.defaults();
        }
        try {
            return extension.toSettings();
        } catch (InvalidSettingException e) {
            throw new FlywayException(e.messageWithKeyPrefix("flyway.locksafe."), e);
        }
    }

    /** A fresh engine for one migration or statement; close it when done (it may hold a probe connection). */
    LockSafe newEngine() {
        LockSafe.Builder builder = LockSafe.builder(settings).tool("flyway");
        applicationListeners.forEach(builder::addListener);
        if (check.active()) {
            builder.addListener(check.heldLocksListener()); // rule L209 times the locks the migration held
        }
        return builder
                .listener(AttemptListener.logging(new FlywayLogSink()))
                .probeConnections(probeConnections())
                .build();
    }

    /** Resolved only when a probe connection is really needed: most migrations never wait. */
    private ConnectionSource probeConnections() {
        return () -> {
            DataSource dataSource = configuration.getDataSource();
            if (dataSource != null) {
                return dataSource.getConnection();
            }
            String url = configuration.getUrl();
            if (url == null) {
                throw new java.sql.SQLException("Flyway has neither a data source nor a URL to open a connection");
            }
            Properties props = new Properties();
            if (configuration.getUser() != null) {
                props.setProperty("user", configuration.getUser());
            }
            if (configuration.getPassword() != null) {
                props.setProperty("password", configuration.getPassword());
            }
            return ConnectionSource.fromUrl(url, props).open();
        };
    }
}
