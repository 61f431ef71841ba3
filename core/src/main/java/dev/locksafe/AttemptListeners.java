package dev.locksafe;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Listeners that hear every LockSafe engine in this JVM, whichever tool runs it: the hook for metrics
 * and audit without touching Flyway's or Liquibase's configuration. Register one in code
 * ({@link #register}), or name an implementation with a public no-argument constructor in
 * {@code META-INF/services/dev.locksafe.AttemptListener} to have it found by {@link ServiceLoader}.
 *
 * <pre>{@code
 * try (Registration r = AttemptListeners.register(new LockSafeMetrics(registry))) {
 *     flyway.migrate();
 * }
 * }</pre>
 *
 * Listeners run on the migrating thread; one that throws is logged and never breaks a migration.
 */
public final class AttemptListeners {

    private static final List<AttemptListener> REGISTERED = new CopyOnWriteArrayList<>();
    private static volatile List<AttemptListener> discovered;

    private AttemptListeners() {
    }

    /** Adds {@code listener} for every engine in this JVM until the registration is closed. */
    public static Registration register(AttemptListener listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        REGISTERED.add(listener);
        return () -> REGISTERED.remove(listener);
    }

    /**
     * The listeners every engine notifies besides its own, as registered or discovered now. Each engine
     * calls each of them on its own, so one that throws neither keeps the others from hearing nor breaks
     * the migration, and its failure is logged where the engine logs (the host tool's output).
     */
    public static List<AttemptListener> current() {
        List<AttemptListener> all = new ArrayList<>(discovered());
        all.addAll(REGISTERED);
        return all;
    }

    private static List<AttemptListener> discovered() {
        List<AttemptListener> found = discovered;
        if (found == null) {
            synchronized (AttemptListeners.class) {
                found = discovered;
                if (found == null) {
                    found = new ArrayList<>();
                    for (AttemptListener l : ServiceLoader.load(AttemptListener.class, AttemptListeners.class.getClassLoader())) {
                        found.add(l);
                    }
                    discovered = found = List.copyOf(found);
                }
            }
        }
        return found;
    }
}
