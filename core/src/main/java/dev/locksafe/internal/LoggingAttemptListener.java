package dev.locksafe.internal;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.Blocker;
import dev.locksafe.LogSink;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One log line per attempt event. Used by every adapter, each with its host tool's {@link LogSink}. */
public final class LoggingAttemptListener implements AttemptListener {

    private static final String RETRY = "LockSafe: {} attempt {}/{} failed: {} (SQLSTATE {}) with lock_timeout {};"
            + " locks released, retrying {}. Statement: {}. Blocked by: {}";
    private static final String SUCCESS = "LockSafe: {} succeeded on attempt {}/{} after {}";
    private static final String EXHAUSTED = "LockSafe: {} gave up after {} in {}: {} (SQLSTATE {})"
            + " with lock_timeout {}. Statement: {}. Blocked by: {}";

    private final LogSink sink;

    /** A listener writing to {@code sink}. */
    public LoggingAttemptListener(LogSink sink) {
        this.sink = sink;
    }

    /** Where this listener writes; the engine writes its own warnings there too, so they reach the same output. */
    LogSink sink() {
        return sink;
    }

    /** The default: SLF4J logger {@code dev.locksafe.LockSafe}. */
    public static LoggingAttemptListener slf4j() {
        return new LoggingAttemptListener(LogSink.of(LoggerFactory.getLogger("dev.locksafe.LockSafe")));
    }

    /** The MDC keys each line carries, for JSON log pipelines that filter retries. */
    public static final String MDC_TOOL = "locksafe.tool";
    public static final String MDC_MIGRATION = "locksafe.migration";
    public static final String MDC_ATTEMPT = "locksafe.attempt";
    public static final String MDC_OUTCOME = "locksafe.outcome";

    @Override
    public void onRetry(AttemptEvent e) {
        withMdc(e, "retry", () -> sink.warn(RETRY, Text.oneLine(e.unitId()), e.attempt(), e.maxAttempts(), Text.oneLine(e.errorMessage().orElse("?")),
                e.sqlState().orElse("?"), lockTimeout(e), when(e),
                e.statement().orElse("unknown"), blockers(e.blockers())));
    }

    @Override
    public void onSuccessAfterRetry(AttemptEvent e) {
        withMdc(e, "success", () -> sink.info(SUCCESS, Text.oneLine(e.unitId()), e.attempt(), e.maxAttempts(),
                seconds(e.elapsed())));
    }

    @Override
    public void onExhausted(AttemptEvent e) {
        withMdc(e, "exhausted", () -> sink.warn(EXHAUSTED, Text.oneLine(e.unitId()), e.attempt() == 1 ? "1 attempt" : e.attempt() + " attempts", seconds(e.elapsed()), Text.oneLine(e.errorMessage().orElse("?")),
                e.sqlState().orElse("?"), lockTimeout(e), e.statement().orElse("unknown"), blockers(e.blockers())));
    }

    /**
     * Logs with the event's tool, migration, attempt and outcome in the MDC, then puts back what was there.
     * Without an SLF4J provider there is no MDC to fill, and touching it would make SLF4J print its
     * "no providers" warning on the host's console (the Flyway and Liquibase command lines ship none).
     */
    private static void withMdc(AttemptEvent e, String outcome, Runnable log) {
        if (!Slf4jProvider.PRESENT) {
            log.run();
            return;
        }
        String[] keys = {MDC_TOOL, MDC_MIGRATION, MDC_ATTEMPT, MDC_OUTCOME};
        String[] values = {e.tool(), Text.oneLine(e.unitId()), Integer.toString(e.attempt()), outcome};
        String[] previous = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            previous[i] = MDC.get(keys[i]);
            MDC.put(keys[i], values[i]);
        }
        try {
            log.run();
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (previous[i] == null) {
                    MDC.remove(keys[i]);
                } else {
                    MDC.put(keys[i], previous[i]);
                }
            }
        }
    }

    /** "in 0.419s", or "when the blocking transaction ends, within 4.000s". */
    private static String when(AttemptEvent e) {
        if (!e.waitsForBlockers()) {
            return "in " + seconds(e.nextDelay());
        }
        return (e.blockers().size() == 1 ? "when the blocking transaction ends" : "when the blocking transactions end")
                + ", within " + seconds(e.nextDelay());
    }

    private static String lockTimeout(AttemptEvent e) {
        return e.lockTimeout().map(d -> d.toMillis() + "ms").orElse("none");
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
    }

    private static String blockers(List<Blocker> blockers) {
        return blockers.isEmpty() ? "none seen" : blockers.toString();
    }

    /** Whether SLF4J has a logging backend here, found as SLF4J finds it, without initializing SLF4J. */
    static final class Slf4jProvider {
        static final boolean PRESENT = detect();

        private Slf4jProvider() {
        }

        private static boolean detect() {
            if (System.getProperty("slf4j.provider") != null) {
                return true;
            }
            ClassLoader loader = MDC.class.getClassLoader();
            try {
                if (java.util.ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider.class, loader).iterator().hasNext()) {
                    return true; // SLF4J 2
                }
            } catch (LinkageError | java.util.ServiceConfigurationError e) {
                // SLF4J 1.7 (Maven 3 gives plugins its own): no provider interface; its binding is looked for below
            }
            return (loader == null ? ClassLoader.getSystemClassLoader() : loader)
                    .getResource("org/slf4j/impl/StaticLoggerBinder.class") != null;
        }
    }
}
