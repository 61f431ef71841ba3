package dev.locksafe.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.AttemptListeners;
import dev.locksafe.Blocker;
import dev.locksafe.Registration;
import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * micronaut-flyway (Flyway 10.22, as the Micronaut platform 4.10.8 ships it) and micronaut-liquibase migrate
 * when the data source starts; with LockSafe, under a real blocker, the migration times out after
 * {@code locksafe.lock-timeout}, names the statement and the blocking session, waits for the blocker to end
 * and commits on the second attempt.
 */
@ExtendWith(PostgresExtension.class)
class MicronautLockRetryTest {

    @Test
    void flywayAtStartRetriesAfterTheBlockerAndCommits(TestDatabase db) throws Exception {
        Map<String, Object> config = application(db);
        config.put("flyway.datasources.default.enabled", true);
        config.put("flyway.datasources.default.locations", "classpath:db/micronaut-flyway");
        config.put("flyway.datasources.default.baseline-on-migrate", true);
        config.put("flyway.datasources.default.baseline-version", "0");
        List<AttemptEvent> events = startUnderBlocker(db, config);
        assertRetriedOnceThenSucceeded(events, "ALTER TABLE accounts ADD COLUMN note text");
        assertThat(db.hasColumn("accounts", "note")).isTrue();
        assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE version = '1' AND success")).isOne();
    }

    @Test
    void liquibaseAtStartRetriesAfterTheBlockerAndCommits(TestDatabase db) throws Exception {
        Map<String, Object> config = application(db);
        config.put("liquibase.datasources.default.change-log", "classpath:db/micronaut-liquibase/changelog.xml");
        List<AttemptEvent> events = startUnderBlocker(db, config);
        assertRetriedOnceThenSucceeded(events, "ALTER TABLE public.accounts ADD note TEXT");
        assertThat(db.hasColumn("accounts", "note")).isTrue();
        assertThat(db.queryLong("SELECT count(*) FROM databasechangelog WHERE id = 'add-note'")).isOne();
    }

    /** A Micronaut application on {@code db} with LockSafe's lock timeout at 200 ms. */
    static Map<String, Object> application(TestDatabase db) {
        Map<String, Object> config = new HashMap<>();
        config.put("datasources.default.url", db.jdbcUrl());
        config.put("datasources.default.username", db.user());
        config.put("datasources.default.password", db.password());
        config.put("datasources.default.driver-class-name", "org.postgresql.Driver");
        config.put("locksafe.lock-timeout", "200ms");
        config.put("locksafe.initial-backoff", "5s");
        return config;
    }

    /**
     * Starts the application while a session holds ACCESS SHARE on {@code accounts}, released once the
     * migration's lock request has queued and then given up (seen in pg_locks); the events of its attempts.
     */
    private static List<AttemptEvent> startUnderBlocker(TestDatabase db, Map<String, Object> config) throws Exception {
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY)");
        List<AttemptEvent> events = new CopyOnWriteArrayList<>();
        AttemptListener recorder = new AttemptListener() {
            @Override
            public void onRetry(AttemptEvent event) {
                events.add(event);
            }

            @Override
            public void onSuccess(AttemptEvent event) {
                events.add(event);
            }
        };
        try (BlockingSession blocker = BlockingSession.hold(db, "accounts", "ACCESS SHARE", "micronaut-report");
             Registration listening = AttemptListeners.register(recorder)) {
            CompletableFuture<Void> released = blocker.releaseOnceAWaiterGaveUp(Duration.ofMinutes(2));
            try (ApplicationContext context = ApplicationContext.run(config)) {
                assertThat(released).isCompleted();
            }
        }
        return events;
    }

    private static void assertRetriedOnceThenSucceeded(List<AttemptEvent> events, String statement) {
        assertThat(events).hasSize(2);
        AttemptEvent retry = events.get(0);
        assertThat(retry.type()).isEqualTo(AttemptEvent.Type.RETRY);
        assertThat(retry.lockTimeout()).contains(Duration.ofMillis(200));
        assertThat(retry.statement()).contains(statement);
        assertThat(retry.blockers()).extracting(Blocker::applicationName).containsExactly("micronaut-report");
        assertThat(events.get(1).attempt()).isEqualTo(2);
    }
}
