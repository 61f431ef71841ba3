package dev.locksafe.flyway;

import dev.locksafe.ConnectionSource;
import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.internal.LoggingAttemptListener;
import java.sql.DriverManager;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.CallbackEvent;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.callback.InternalCallback;
import org.flywaydb.core.internal.database.DatabaseTypeRegister;

/**
 * Tells LockSafe which migration runs on which connection, and checks the settings when migrate
 * starts. Found by Flyway through {@code ServiceLoader}; it runs no SQL of its own.
 */
public class LockSafeMigrationCallback implements InternalCallback<Event> {

    @Override
    public boolean supportsEventType(Class<? extends CallbackEvent<?>> type) {
        return type == Event.class;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_MIGRATE || event == Event.BEFORE_EACH_MIGRATE
                || event == Event.AFTER_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE_ERROR;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public String getCallbackName() {
        return "LockSafe";
    }

    @Override
    public void handle(Event event, Context context) {
        if (event == Event.BEFORE_MIGRATE) {
            checkSettings(context);
        } else if (event == Event.BEFORE_EACH_MIGRATE) {
            beforeEachMigrate(context);
        } else {
            ActiveMigrations.end(context.getConnection());
        }
    }

    private static void checkSettings(Context context) {
        LockSafeSettings settings = settings(context.getConfiguration());
        if (!settings.enabled()) {
            FlywayLogSink.LOG.info("LockSafe: disabled by flyway.locksafe.enabled=false");
        } else if (!isLockSafeDatabase(context)) {
            FlywayLogSink.LOG.info("LockSafe: the database is not plain PostgreSQL; LockSafe stays out of the way");
        } else if (context.getConfiguration().isGroup()) {
            FlywayLogSink.LOG.warn("LockSafe: group=true runs all pending migrations in one transaction; a retry would"
                    + " keep the earlier migrations' locks while it waits, so LockSafe does not retry. Each migration"
                    + " still runs with lock_timeout " + settings.lockTimeout().toMillis()
                    + "ms, so a blocked migrate fails fast instead of queueing every query behind it.");
        }
    }

    private static void beforeEachMigrate(Context context) {
        Configuration configuration = context.getConfiguration();
        LockSafeSettings settings = settings(configuration);
        if (!settings.enabled() || !isLockSafeDatabase(context)) {
            return;
        }
        if (configuration.isGroup()) {
            settings = settings.toBuilder().maxAttempts(1).build();
        }
        LockSafe engine = LockSafe.builder(settings)
                .listener(new LoggingAttemptListener(new FlywayLogSink()))
                .probeConnections(probeConnections(configuration))
                .build();
        ActiveMigrations.start(context.getConnection(), new ActiveMigrations.Active(id(context.getMigrationInfo()), engine));
    }

    private static boolean isLockSafeDatabase(Context context) {
        return DatabaseTypeRegister.getDatabaseTypeForConnection(context.getConnection(), context.getConfiguration())
                instanceof LockSafePostgreSQLDatabaseType;
    }

    private static String id(MigrationInfo info) {
        return info == null ? "migration" : info.getScript();
    }

    static LockSafeSettings settings(Configuration configuration) {
        LockSafeConfigurationExtension extension =
                configuration.getPluginRegister().getPlugin(LockSafeConfigurationExtension.class);
        if (extension == null) {
            return LockSafeSettings.defaults();
        }
        try {
            return extension.toSettings();
        } catch (InvalidSettingException e) {
            throw new FlywayException(e.messageWithKeyPrefix("flyway.locksafe."), e);
        }
    }

    private static ConnectionSource probeConnections(Configuration configuration) {
        DataSource dataSource = configuration.getDataSource();
        if (dataSource != null) {
            return ConnectionSource.of(dataSource);
        }
        String url = configuration.getUrl();
        if (url == null) {
            return null;
        }
        return () -> {
            Properties props = new Properties();
            if (configuration.getUser() != null) {
                props.setProperty("user", configuration.getUser());
            }
            if (configuration.getPassword() != null) {
                props.setProperty("password", configuration.getPassword());
            }
            props.setProperty("ApplicationName", "locksafe-probe");
            return DriverManager.getConnection(url, props);
        };
    }
}
