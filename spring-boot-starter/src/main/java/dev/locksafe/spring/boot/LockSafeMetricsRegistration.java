package dev.locksafe.spring.boot;

import dev.locksafe.AttemptListener;
import dev.locksafe.metrics.LockSafeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * LockSafe's meters in the application's {@link MeterRegistry}: a {@link LockSafeMetrics} listener that
 * the starter hands to this application's own Flyway and Liquibase runs, so that it counts their
 * attempts and no other application's in the same JVM. Nothing when the application has no registry.
 */
public class LockSafeMetricsRegistration {

    private final AttemptListener listener;

    LockSafeMetricsRegistration(MeterRegistry registry) {
        this.listener = registry == null ? null : new LockSafeMetrics(registry);
    }

    /** The listener for this application's runs; empty without a registry. */
    Optional<AttemptListener> listener() {
        return Optional.ofNullable(listener);
    }
}
