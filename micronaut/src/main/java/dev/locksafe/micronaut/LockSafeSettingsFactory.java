package dev.locksafe.micronaut;

import dev.locksafe.LockSafeSettings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

/**
 * The application's LockSafe settings, from {@code locksafe.*}. An application that computes its policy in
 * code replaces this bean ({@code @Replaces(LockSafeSettings.class)}).
 */
@Factory
public class LockSafeSettingsFactory {

    /** Checked when the first data source starts: a bad value stops the application before any migration. */
    @Singleton
    LockSafeSettings lockSafeSettings(Environment environment) {
        return MicronautSettings.of(environment);
    }
}
