package dev.locksafe.spring.boot;

import dev.locksafe.AttemptListeners;
import dev.locksafe.Registration;
import dev.locksafe.metrics.LockSafeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.DisposableBean;

/**
 * LockSafe's meters in the application's {@link MeterRegistry}, for as long as the application context
 * lives; nothing when the application has no registry.
 */
public class LockSafeMetricsRegistration implements DisposableBean {

    private final Registration registration;

    LockSafeMetricsRegistration(MeterRegistry registry) {
        this.registration = registry == null ? () -> { } : AttemptListeners.register(new LockSafeMetrics(registry));
    }

    @Override
    public void destroy() {
        registration.close();
    }
}
