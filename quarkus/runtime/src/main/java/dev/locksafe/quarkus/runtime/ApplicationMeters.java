package dev.locksafe.quarkus.runtime;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.check.Finding;
import dev.locksafe.metrics.LockSafeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * LockSafe's meters in the application's registry. Migrations at start run before quarkus-micrometer has
 * attached its registries (a counter incremented then would be lost), so the events of those attempts are
 * kept and recorded when the application has started ({@link MetricsAtStartup}); later ones are recorded
 * as they happen.
 */
final class ApplicationMeters implements AttemptListener {

    /** The listener of the running application, or {@code null}. */
    static volatile ApplicationMeters current;

    /** At most this many events are kept before the start; more would mean a runaway migration loop. */
    private static final int MAX_KEPT = 100_000;

    private final List<Runnable> beforeStart = new ArrayList<>();
    private AttemptListener meters;

    @Override
    public void onRetry(AttemptEvent event) {
        record(event, AttemptListener::onRetry);
    }

    @Override
    public void onSuccessAfterRetry(AttemptEvent event) {
        record(event, AttemptListener::onSuccessAfterRetry);
    }

    @Override
    public void onSuccess(AttemptEvent event) {
        record(event, AttemptListener::onSuccess);
    }

    @Override
    public void onExhausted(AttemptEvent event) {
        record(event, AttemptListener::onExhausted);
    }

    @Override
    public void onFinding(String tool, Finding finding) {
        record(finding, (meters, f) -> meters.onFinding(tool, f));
    }

    private synchronized <T> void record(T event, BiConsumer<AttemptListener, T> method) {
        if (meters != null) {
            method.accept(meters, event);
        } else if (beforeStart.size() < MAX_KEPT) {
            beforeStart.add(() -> method.accept(meters, event));
        }
    }

    /** The application has started: records what happened before and everything from now on. */
    synchronized void started() {
        if (meters != null) {
            return;
        }
        try (InstanceHandle<MeterRegistry> registry = Arc.container().instance(MeterRegistry.class)) {
            meters = registry.isAvailable() ? new LockSafeMetrics(registry.get()) : new AttemptListener() { };
        }
        beforeStart.forEach(Runnable::run);
        beforeStart.clear();
    }
}
