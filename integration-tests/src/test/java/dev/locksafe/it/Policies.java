package dev.locksafe.it;

import dev.locksafe.LockSafeSettings;
import java.time.Duration;

/** Settings for tests: a 200ms lock timeout and short, predictable waits (no jitter). */
final class Policies {

    static final Duration LOCK_TIMEOUT = Duration.ofMillis(200);

    private Policies() {
    }

    /** 200ms lock timeout; waits 50ms, 100ms, 200ms, 200ms, ... */
    static LockSafeSettings.Builder fast() {
        return LockSafeSettings.builder().lockTimeout(LOCK_TIMEOUT).initialBackoff(Duration.ofMillis(50)).backoffMultiplier(2.0)
                .maxBackoff(Duration.ofMillis(200)).jitter(0);
    }
}
