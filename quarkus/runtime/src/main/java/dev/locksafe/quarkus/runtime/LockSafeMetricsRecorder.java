package dev.locksafe.quarkus.runtime;

import dev.locksafe.AttemptListeners;
import dev.locksafe.Registration;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;

/** What the extension records for quarkus-micrometer (only when the application has it). */
@Recorder
public class LockSafeMetricsRecorder {

    /**
     * Counts every migration attempt of this application in its Micrometer registry; undone when the
     * application stops. Recorded at static init, so the migrations at start are counted too.
     */
    public void registerMetrics(ShutdownContext shutdown) {
        ApplicationMeters meters = new ApplicationMeters();
        ApplicationMeters.current = meters;
        Registration listening = AttemptListeners.register(meters);
        shutdown.addShutdownTask(() -> {
            listening.close();
            ApplicationMeters.current = null;
        });
    }
}
