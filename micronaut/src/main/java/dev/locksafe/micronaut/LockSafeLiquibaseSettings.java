package dev.locksafe.micronaut;

import dev.locksafe.ConnectionSource;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.liquibase.ProbeConnections;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.liquibase.LiquibaseConfigurationProperties;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * Gives the Liquibase that micronaut-liquibase runs when a data source starts LockSafe's settings, and that
 * data source for looking up blocking sessions (Micronaut hands Liquibase an open connection, so LockSafe
 * could not open one itself). Runs on each data source's creation before micronaut-liquibase's own
 * listener (highest precedence), which migrates right then. Undone when the application stops.
 */
@Singleton
@Order(Ordered.HIGHEST_PRECEDENCE)
@Requires(classes = LiquibaseConfigurationProperties.class)
class LockSafeLiquibaseSettings implements BeanCreatedEventListener<DataSource> {

    private final Provider<LockSafeSettings> settings;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private volatile boolean providing;

    LockSafeLiquibaseSettings(Provider<LockSafeSettings> settings) {
        this.settings = settings;
    }

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        provideSettings();
        registrations.add(ProbeConnections.registerOnFirstUse(ConnectionSource.of(event.getBean())));
        return event.getBean();
    }

    private synchronized void provideSettings() {
        if (!providing) {
            LockSafeSettings resolved = settings.get(); // a bad value stops the start here, before Liquibase runs
            registrations.add(LockSafeConfiguration.provideToEveryThread(() -> resolved,
                    "Micronaut configuration " + MicronautSettings.PREFIX + ".*"));
            providing = true;
        }
    }

    @PreDestroy
    void close() {
        registrations.forEach(Registration::close);
        registrations.clear();
    }
}
