package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.AttemptListeners;
import dev.locksafe.Registration;
import dev.locksafe.metrics.LockSafeMetrics;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The plain-Java hook: a listener registered with {@link AttemptListeners} hears the Flyway plugin and
 * the Liquibase extension without any tool configuration, and {@link LockSafeMetrics} turns that into
 * Micrometer meters.
 */
@ExtendWith(PostgresExtension.class)
class MetricsAndListenersTest {

    private static final Map<String, String> FAST = Map.of("lockTimeout", "200ms", "initialBackoff", "50ms",
            "maxBackoff", "100ms", "jitter", "0", "maxAttempts", "50");

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void registeredListenerAndMetricsHearEveryAttemptOfARetriedMigration(Migrator tool, TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<AttemptEvent> heard = new CopyOnWriteArrayList<>();
        AttemptListener recorder = new AttemptListener() {
            @Override
            public void onRetry(AttemptEvent e) {
                heard.add(e);
            }

            @Override
            public void onSuccess(AttemptEvent e) {
                heard.add(e);
            }
        };
        try (Registration metrics = AttemptListeners.register(new LockSafeMetrics(registry));
             Registration listener = AttemptListeners.register(recorder);
             BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            report.releaseWhen(() -> heard.size() >= 2);
            tool.migrate(db, FAST, "ALTER TABLE orders ADD COLUMN note text;", "CREATE TABLE audit (id int);");
        }
        long retries = heard.stream().filter(e -> e.type() == AttemptEvent.Type.RETRY).count();
        assertThat(retries).isGreaterThanOrEqualTo(2);
        assertThat(heard).allSatisfy(e -> assertThat(e.tool()).isEqualTo(tool.name().toLowerCase()));
        assertThat(heard.get(0).attemptDuration().toMillis()).isBetween(150L, 5_000L); // waited out lock_timeout
        assertThat(heard.stream().filter(e -> e.type() != AttemptEvent.Type.RETRY).map(AttemptEvent::type))
                .containsExactly(AttemptEvent.Type.SUCCESS_AFTER_RETRY, AttemptEvent.Type.SUCCESS);

        assertThat(registry.find(LockSafeMetrics.ATTEMPTS).tag("outcome", "retry").counter().count())
                .isEqualTo(retries);
        assertThat(registry.find(LockSafeMetrics.ATTEMPTS).tag("outcome", "success").counters()).hasSize(2)
                .allSatisfy(c -> assertThat(c.count()).isEqualTo(1));
        assertThat(registry.find(LockSafeMetrics.LOCK_TIMEOUTS).tag("sqlstate", "55P03").counter().count())
                .isEqualTo(retries);
        assertThat(registry.find(LockSafeMetrics.LOCK_WAIT).timer().totalTime(TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(retries * 150.0);
        // one wait before each attempt after the first, recorded once that attempt has ended
        assertThat(registry.find(LockSafeMetrics.BACKOFF).timers().stream().mapToLong(t -> t.count()).sum())
                .isEqualTo(retries);
        assertThat(registry.find(LockSafeMetrics.EXHAUSTIONS).counter()).isNull();

        // closed registrations hear nothing more
        int before = heard.size();
        tool.migrate(db, FAST, "ALTER TABLE orders ADD COLUMN note text;", "CREATE TABLE audit (id int);",
                "CREATE TABLE audit2 (id int);");
        assertThat(heard).hasSize(before);
    }

    /** ZDD findings reach the listeners too, and LockSafe's meters count them by rule and severity. */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void zddFindingsAreCountedByRuleAndSeverity(Migrator tool, TestDatabase db) throws Exception {
        String releaseN = "create table orders (id bigint primary key, note text);";
        tool.migrate(db, Map.of("check", "off"), releaseN);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Registration metrics = AttemptListeners.register(new LockSafeMetrics(registry))) {
            tool.migrate(db, Map.of("check", "warn"), releaseN, "ALTER TABLE orders DROP COLUMN note;");
        }
        assertThat(registry.find(LockSafeMetrics.ZDD_FINDINGS).tag("tool", tool.name().toLowerCase())
                .tag("rule", "B101").tag("severity", "error").tag("allowed", "false").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find(LockSafeMetrics.ZDD_FINDINGS).counters()).hasSize(1);
    }
}
