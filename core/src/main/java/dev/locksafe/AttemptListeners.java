package dev.locksafe;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /**
     * Created on first use: a host without an SLF4J provider (the Liquibase command line) gets no SLF4J
     * start-up warning from LockSafe unless LockSafe really logs through SLF4J.
     */
    private static final class Slf4j {
        static final Logger LOG = LoggerFactory.getLogger(AttemptListeners.class);
    }
    private static final List<AttemptListener> REGISTERED = new CopyOnWriteArrayList<>();
    private static volatile List<AttemptListener> discovered;

    /** Forwards each event to the listeners registered or discovered at that moment. */
    private static final AttemptListener GLOBAL = new AttemptListener() {
        @Override
        public void onRetry(AttemptEvent event) {
            forEach(l -> l.onRetry(event));
        }

        @Override
        public void onSuccessAfterRetry(AttemptEvent event) {
            forEach(l -> l.onSuccessAfterRetry(event));
        }

        @Override
        public void onSuccess(AttemptEvent event) {
            forEach(l -> l.onSuccess(event));
        }

        @Override
        public void onExhausted(AttemptEvent event) {
            forEach(l -> l.onExhausted(event));
        }

        @Override
        public String toString() {
            return "AttemptListeners.global()";
        }
    };

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

    /** The listener every engine notifies besides its own. */
    public static AttemptListener global() {
        return GLOBAL;
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

    private static void forEach(Consumer<AttemptListener> call) {
        for (AttemptListener l : discovered()) {
            notify(l, call);
        }
        for (AttemptListener l : REGISTERED) {
            notify(l, call);
        }
    }

    private static void notify(AttemptListener listener, Consumer<AttemptListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            Slf4j.LOG.warn("LockSafe: attempt listener {} failed; the migration goes on", listener, e);
        }
    }
}
