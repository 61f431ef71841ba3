package dev.locksafe.micronaut;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.flyway.LockSafeConfigurationExtension;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.flyway.FlywayConfigurationProperties;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/**
 * Hands {@code locksafe.*} to each data source's Flyway configuration as micronaut-flyway creates it,
 * before it migrates. micronaut-flyway builds Flyway in code, which reads no {@code FLYWAY_LOCKSAFE_*}
 * variable. A configuration listener rather than a {@code FlywayConfigurationCustomizer}: micronaut-flyway
 * takes one customizer per data source, so a LockSafe one would replace the application's own (or its
 * default, which registers named Java migrations and callbacks). Values given through micronaut-flyway's
 * pass-through {@code flyway.datasources.<name>.properties.flyway.locksafe.*} are applied after these.
 */
@Singleton
@Requires(classes = FlywayConfigurationProperties.class)
class LockSafeFlywaySettings implements BeanCreatedEventListener<FlywayConfigurationProperties> {

    private final Provider<LockSafeSettings> settings;

    LockSafeFlywaySettings(Provider<LockSafeSettings> settings) {
        this.settings = settings;
    }

    @Override
    public FlywayConfigurationProperties onCreated(BeanCreatedEvent<FlywayConfigurationProperties> event) {
        FlywayConfigurationProperties properties = event.getBean();
        LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(properties.getFluentConfiguration());
        if (extension == null) {
            throw new IllegalStateException("LockSafe: the Flyway of data source '" + properties.getNameQualifier()
                    + "' has no LockSafe plugin; is locksafe-flyway on the same class path as flyway-core?");
        }
        extension.apply(settings.get());
        return properties;
    }
}
