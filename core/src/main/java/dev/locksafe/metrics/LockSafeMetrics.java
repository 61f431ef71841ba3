package dev.locksafe.metrics;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.check.Finding;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;

/**
 * LockSafe's attempts as Micrometer meters. Register it for every engine in the JVM with
 * {@code AttemptListeners.register(new LockSafeMetrics(registry))}, or for one engine with
 * {@code LockSafe.builder(settings).addListener(...)}; the Spring Boot starter hands one to the
 * application's own Flyway and Liquibase runs when the application has a {@link MeterRegistry}.
 * Micrometer is an optional dependency: only this class needs it.
 *
 * <table>
 *   <caption>Meters (tags: {@code tool} = flyway | liquibase | api, {@code migration} = the unit's id)</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th><th>what</th></tr>
 *   <tr><td>{@value #ATTEMPTS}</td><td>counter</td><td>{@code outcome} = success | retry | exhausted</td>
 *       <td>every attempt, by how it ended</td></tr>
 *   <tr><td>{@value #LOCK_TIMEOUTS}</td><td>counter</td><td>{@code sqlstate}</td>
 *       <td>failed attempts by the retryable error (55P03: lock_timeout fired)</td></tr>
 *   <tr><td>{@value #LOCK_WAIT}</td><td>timer</td><td></td><td>time spent in failed attempts, waiting for locks</td></tr>
 *   <tr><td>{@value #BACKOFF}</td><td>timer</td><td>{@code wait} = blockers | backoff</td><td>time really
 *       waited between attempts: {@code blockers} when the wait ended as soon as the blocking transactions
 *       did (at most the backoff), {@code backoff} for a blind wait of the full backoff</td></tr>
 *   <tr><td>{@value #EXHAUSTIONS}</td><td>counter</td><td></td><td>migrations that gave up</td></tr>
 *   <tr><td>{@value #ZDD_FINDINGS}</td><td>counter</td><td>{@code rule}, {@code severity} = error | warning |
 *       info, {@code allowed} = true | false</td><td>findings of the ZDD check</td></tr>
 * </table>
 */
public final class LockSafeMetrics implements AttemptListener {

    /** Every attempt, tagged with its {@code outcome}. */
    public static final String ATTEMPTS = "locksafe.attempts";
    /** Failed attempts, tagged with the retryable {@code sqlstate} (55P03 when lock_timeout fired). */
    public static final String LOCK_TIMEOUTS = "locksafe.lock.timeouts";
    /** Time spent in failed attempts. */
    public static final String LOCK_WAIT = "locksafe.lock.wait";
    /** Time spent waiting between attempts. */
    public static final String BACKOFF = "locksafe.backoff";
    /** Migrations whose last attempt failed. */
    public static final String EXHAUSTIONS = "locksafe.exhaustions";
    /** ZDD findings, tagged with the {@code rule}, its {@code severity} and whether it was {@code allowed}. */
    public static final String ZDD_FINDINGS = "locksafe.zdd.findings";

    private final MeterRegistry registry;

    public LockSafeMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void onSuccess(AttemptEvent e) {
        attempts(e, "success").increment();
        waited(e);
    }

    @Override
    public void onRetry(AttemptEvent e) {
        attempts(e, "retry").increment();
        failed(e);
        waited(e);
    }

    @Override
    public void onExhausted(AttemptEvent e) {
        attempts(e, "exhausted").increment();
        waited(e);
        failed(e);
        Counter.builder(EXHAUSTIONS).description("Migrations LockSafe gave up on after the last attempt")
                .tags(tags(e)).register(registry).increment();
    }

    @Override
    public void onFinding(String tool, Finding f) {
        Counter.builder(ZDD_FINDINGS).description("ZDD check findings by rule and severity")
                .tags(Tags.of("tool", tool, "migration", String.valueOf(f.migration()), "rule", f.rule().id(),
                        "severity", f.severity().name().toLowerCase(java.util.Locale.ROOT),
                        "allowed", String.valueOf(f.allowed())))
                .register(registry).increment();
    }

    private void failed(AttemptEvent e) {
        Counter.builder(LOCK_TIMEOUTS).description("Failed attempts by the retryable SQLSTATE (55P03: lock_timeout)")
                .tags(tags(e)).tag("sqlstate", e.sqlState().orElse("unknown")).register(registry).increment();
        Timer.builder(LOCK_WAIT).description("Time spent in failed attempts, mostly waiting for locks")
                .tags(tags(e)).register(registry).record(e.attemptDuration());
    }

    /** The wait before the event's attempt, recorded once that attempt has ended (the first had none). */
    private void waited(AttemptEvent e) {
        if (e.attempt() > 1) {
            Timer.builder(BACKOFF).description("Time LockSafe waited between attempts, holding no lock")
                    .tags(tags(e)).tag("wait", e.waitedForBlockers() ? "blockers" : "backoff").register(registry)
                    .record(e.waitedBefore());
        }
    }

    private Counter attempts(AttemptEvent e, String outcome) {
        return Counter.builder(ATTEMPTS).description("LockSafe attempts by outcome")
                .tags(tags(e)).tag("outcome", outcome).register(registry);
    }

    private static Tags tags(AttemptEvent e) {
        return Tags.of("tool", e.tool(), "migration", e.unitId());
    }

    @Override
    public String toString() {
        return "LockSafeMetrics{" + registry.getClass().getSimpleName() + '}';
    }
}
