package dev.locksafe.quarkus.runtime;

import dev.locksafe.flyway.LockSafeConfigurationExtension;
import io.quarkus.flyway.FlywayConfigurationCustomizer;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Hands {@code quarkus.locksafe.*} to the Flyway that quarkus-flyway builds for a data source, before it
 * migrates at start. Quarkus builds Flyway with {@code Flyway.configure()}, which reads neither
 * {@code FLYWAY_LOCKSAFE_*} variables nor {@code flyway.locksafe.*} system properties: this is where its
 * LockSafe settings come from. Registered by the extension for the default data source, and once per
 * named data source with its {@code @FlywayDataSource} qualifier. An application's own customizer runs
 * too; it should not set LockSafe's values, which belong in {@code quarkus.locksafe.*}.
 */
public class LockSafeFlywayCustomizer implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(configuration);
        if (extension == null) {
            throw new IllegalStateException("LockSafe: this Flyway has no LockSafe plugin;"
                    + " is locksafe-flyway on the same class path as flyway-core?");
        }
        extension.apply(QuarkusSettings.current());
    }
}
