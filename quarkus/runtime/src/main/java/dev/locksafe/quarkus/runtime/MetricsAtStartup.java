package dev.locksafe.quarkus.runtime;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Tells LockSafe's meters that the application has started, so its registries are in place. */
@Singleton
public class MetricsAtStartup {

    void onStart(@Observes StartupEvent event) {
        ApplicationMeters meters = ApplicationMeters.current;
        if (meters != null) {
            meters.started();
        }
    }
}
