package dev.locksafe.quarkus.runtime;

import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import java.util.function.Supplier;

/** What the extension records for the application's start, whichever tools it has. */
@Recorder
public class LockSafeRecorder {

    private final RuntimeValue<LockSafeConfig> config;

    public LockSafeRecorder(RuntimeValue<LockSafeConfig> config) {
        this.config = config;
    }

    /**
     * Checks {@code quarkus.locksafe.*} as the application starts: a bad value stops it with LockSafe's
     * message, whether or not a migration runs.
     */
    public void checkSettings() {
        QuarkusSettings.of(config.getValue());
    }

    /** The customizer for the Flyway of one data source (quarkus-flyway). */
    public Supplier<LockSafeFlywayCustomizer> flywayCustomizer() {
        return LockSafeFlywayCustomizer::new;
    }
}
