package dev.locksafe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.AttemptListeners;
import dev.locksafe.LockRelease;
import dev.locksafe.LockRetriesExhaustedException;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The engine's scheduling and failure paths, with an injected clock and sleeper and a scripted
 * connection (no lock is taken here: locking is tested on a real PostgreSQL in the integration tests).
 */
class RetryEngineTest {

    private static final SQLException LOCK_TIMEOUT = new SQLException("canceling statement due to lock timeout", "55P03");

    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    private LockSafe engine(LockSafeSettings.Builder settings) {
        return LockSafe.builder(settings.build()).listener(new AttemptListener() { }).clock(clock).sleeper(waits::add).build();
    }

    private static SQLException lockTimeout() {
        return new SQLException(LOCK_TIMEOUT.getMessage(), LOCK_TIMEOUT.getSQLState());
    }

    /** Work that fails with a lock timeout {@code failures} times, then returns the attempt number. */
    private static final class FailingWork {
        final AtomicInteger runs = new AtomicInteger();
        final int failures;

        FailingWork(int failures) {
            this.failures = failures;
        }

        int run() throws SQLException {
            int n = runs.incrementAndGet();
            if (n <= failures) {
                throw lockTimeout();
            }
            return n;
        }
    }

    @Test
    void waitsGrowExponentiallyUpToTheCapWithoutJitter() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        FailingWork work = new FailingWork(Integer.MAX_VALUE);
        try (LockSafe engine = engine(LockSafeSettings.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(100))
                .backoffMultiplier(2.0).maxBackoff(Duration.ofMillis(300)).jitter(0))) {
            assertThatThrownBy(() -> engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), work::run))
                    .isInstanceOfSatisfying(LockRetriesExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(5));
        }
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300),
                Duration.ofMillis(300));
        assertThat(work.runs).hasValue(5);
    }

    @Test
    void jitterKeepsEachWaitWithinItsRandomizationFactorAndVariesIt() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        try (LockSafe engine = engine(LockSafeSettings.builder().initialBackoff(Duration.ofMillis(1000)).jitter(0.5))) {
            for (int i = 0; i < 200; i++) {
                FailingWork work = new FailingWork(1);
                engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), work::run);
            }
        }
        assertThat(waits).hasSize(200)
                .allSatisfy(w -> assertThat(w.toMillis()).isBetween(500L, 1500L));
        assertThat(waits.stream().distinct().count()).as("distinct waits").isGreaterThan(50);
    }

    @Test
    void lockTimeoutEscalatesPerAttemptAndTheFinalAttemptWaitsWithoutOne() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        FailingWork work = new FailingWork(4);
        try (LockSafe engine = engine(LockSafeSettings.builder().maxAttempts(5).lockTimeout(Duration.ofMillis(100))
                .lockTimeoutMultiplier(2.0).maxLockTimeout(Duration.ofMillis(300))
                .finalAttemptWithoutLockTimeout(true).jitter(0))) {
            assertThat(engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), work::run)).isEqualTo(5);
        }
        assertThat(db.lockTimeoutsSet).containsExactly("100ms", "200ms", "300ms", "300ms", "0");
    }

    @Test
    void anInterruptDuringAWaitEndsTheRetriesKeepsTheInterruptAndTheLockTimeout() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        FailingWork work = new FailingWork(Integer.MAX_VALUE);
        LockSafe engine = LockSafe.builder(LockSafeSettings.builder().build()).listener(new AttemptListener() { })
                .sleeper(d -> {
                    throw new InterruptedException("shutdown");
                }).build();
        try (engine) {
            assertThatThrownBy(() -> engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), work::run))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("V1 was interrupted while waiting to retry after attempt 1");
                        assertThat(e.getSuppressed()).singleElement()
                                .satisfies(s -> assertThat(((SQLException) s).getSQLState()).isEqualTo("55P03"));
                    });
            assertThat(Thread.interrupted()).as("interrupt flag kept (and cleared here)").isTrue();
        }
        assertThat(work.runs).hasValue(1);
    }

    @Test
    void anErrorThrownByTheMigrationPassesThroughAtOnceAndStopsTheBlockerWatch() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        int before = BlockerProbe.runningWatches();
        AtomicInteger runs = new AtomicInteger();
        try (LockSafe engine = LockSafe.builder(LockSafeSettings.builder().build()).listener(new AttemptListener() { })
                .probeConnections(() -> new ScriptedConnection(true).connection()).sleeper(waits::add).build()) {
            assertThatThrownBy(() -> engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), () -> {
                runs.incrementAndGet();
                assertThat(BlockerProbe.runningWatches()).as("watch while the unit runs").isEqualTo(before + 1);
                throw new OutOfMemoryError("simulated");
            })).isInstanceOf(OutOfMemoryError.class);
            assertThatThrownBy(() -> engine.runStatement("V2", new ScriptedConnection(true).connection(),
                    "ALTER TABLE t ADD COLUMN c int", () -> {
                        throw new StackOverflowError("simulated");
                    })).isInstanceOf(StackOverflowError.class);
        }
        assertThat(BlockerProbe.runningWatches()).as("watches left running").isEqualTo(before);
        assertThat(runs).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void aFailedRollbackIsThrownWithTheLockTimeoutKeptAndIsNotRetried() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        FailingWork work = new FailingWork(Integer.MAX_VALUE);
        SQLException rollbackFailure = new SQLException("connection lost", "08006");
        LockRelease broken = connection -> new LockRelease.Mark() {
            @Override
            public void rollback() throws SQLException {
                throw rollbackFailure;
            }

            @Override
            public void keep() {
            }
        };
        try (LockSafe engine = engine(LockSafeSettings.builder())) {
            assertThatThrownBy(() -> engine.runInTransaction("V1", db.connection(), broken, work::run))
                    .isSameAs(rollbackFailure);
        }
        assertThat(rollbackFailure.getSuppressed()).singleElement()
                .satisfies(s -> assertThat(((SQLException) s).getSQLState()).isEqualTo("55P03"));
        assertThat(work.runs).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void aLockTimeoutThatIsOnlySuppressedDoesNotMakeAnotherErrorRetryable() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        AtomicInteger runs = new AtomicInteger();
        SQLException unrelated = new SQLException("relation \"nope\" does not exist", "42P01");
        unrelated.addSuppressed(lockTimeout());
        try (LockSafe engine = engine(LockSafeSettings.builder())) {
            assertThatThrownBy(() -> engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), () -> {
                runs.incrementAndGet();
                throw unrelated;
            })).isSameAs(unrelated);
        }
        assertThat(runs).hasValue(1);
        assertThat(db.savepointCalls).as("no rollback for an error that is not retried").containsExactly("set");
    }

    @Test
    void aCleanupThatThrowsStillRestoresTheSessionTimeoutAndIsKeptWithTheFailure() throws Exception {
        ScriptedConnection db = new ScriptedConnection(true);
        IllegalStateException cleanupFailure = new IllegalStateException("catalog query broke");
        int[] runs = {0};
        try (LockSafe engine = engine(LockSafeSettings.builder().maxAttempts(1))) {
            assertThatThrownBy(() -> engine.runStatement("V3", db.connection(),
                    "CREATE INDEX CONCURRENTLY idx ON t (c)", () -> {
                        runs[0]++;
                        db.failures.put("pg_index", cleanupFailure); // the cleanup after the failure breaks
                        throw lockTimeout();
                    }))
                    .isInstanceOfSatisfying(LockRetriesExhaustedException.class, e -> assertThat(e.getCause().getSuppressed())
                            .contains(cleanupFailure));
        }
        assertThat(runs[0]).isOne();
        assertThat(db.statements.get(db.statements.size() - 1)).as("last query: the restore")
                .startsWith("select pg_backend_pid(), set_config('lock_timeout'");
    }

    @Test
    void aThrowingListenerNeitherStopsTheMigrationNorKeepsOtherListenersFromHearing() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        List<String> heard = new ArrayList<>();
        AttemptListener broken = new AttemptListener() {
            @Override
            public void onRetry(AttemptEvent event) {
                throw new IllegalStateException("broken listener");
            }
        };
        try (Registration global = AttemptListeners.register(new AttemptListener() {
                 @Override
                 public void onRetry(AttemptEvent event) {
                     heard.add("retry " + event.attempt());
                 }

                 @Override
                 public void onSuccess(AttemptEvent event) {
                     heard.add("success " + event.attempt());
                 }
             });
             LockSafe engine = LockSafe.builder(LockSafeSettings.builder().jitter(0).build()).listener(broken)
                     .clock(clock).sleeper(waits::add).build()) {
            FailingWork work = new FailingWork(2);
            assertThat(engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), work::run)).isEqualTo(3);
        }
        assertThat(heard).containsExactly("retry 1", "retry 2", "success 3");
    }

    @Test
    void aFailingJvmWideListenerDoesNotKeepTheOthersFromHearing() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        List<String> heard = new ArrayList<>();
        try (Registration broken = AttemptListeners.register(new AttemptListener() {
                 @Override
                 public void onSuccess(AttemptEvent e) {
                     throw new IllegalStateException("broken listener");
                 }
             });
             Registration working = AttemptListeners.register(new AttemptListener() {
                 @Override
                 public void onSuccess(AttemptEvent e) {
                     heard.add(e.unitId());
                 }
             });
             LockSafe engine = engine(LockSafeSettings.builder())) {
            engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), () -> 1);
        }
        assertThat(heard).containsExactly("V1");
    }

    @Test
    void anUncontendedUnitSendsItsSavepointWithTheTimeoutsAndItsReleaseWithTheRestore() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        try (LockSafe engine = engine(LockSafeSettings.builder())) {
            assertThat(engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), () -> 1)).isEqualTo(1);
        }
        assertThat(db.statements).as("two round trips in all").hasSize(2);
        assertThat(db.statements.get(0)).startsWith("SAVEPOINT locksafe_attempt; select pg_backend_pid()")
                .contains("set_config('lock_timeout'");
        assertThat(db.statements.get(1)).contains("set_config('lock_timeout'")
                .endsWith("; RELEASE SAVEPOINT locksafe_attempt");
        assertThat(db.savepointCalls).containsExactly("set", "release");
    }

    @Test
    void aSharedSavepointIsSetOnceWithTheFirstUnitAndEveryFailedAttemptReturnsToIt() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        LockRelease changeSetStart = LockRelease.sharedSavepoint();
        FailingWork second = new FailingWork(1);
        try (LockSafe engine = engine(LockSafeSettings.builder().jitter(0.0))) {
            engine.runInTransaction("first change", db.connection(), changeSetStart, () -> 1);
            assertThat(engine.runInTransaction("second change", db.connection(), changeSetStart, second::run))
                    .isEqualTo(2);
        }
        assertThat(db.statements.get(0)).startsWith("SAVEPOINT locksafe_units; select pg_backend_pid()");
        assertThat(db.statements).filteredOn(sql -> sql.startsWith("SAVEPOINT")).as("set once").hasSize(1);
        assertThat(db.statements).as("returned to by the failed attempt").contains("ROLLBACK TO SAVEPOINT locksafe_units");
        assertThat(db.savepointCalls).containsExactly("set", "rollback to savepoint");
    }

    @Test
    void aListenersUnitEndReadTravelsWithTheRestoreAndGetsItsRows() throws Exception {
        ScriptedConnection db = new ScriptedConnection(false);
        List<String> reads = new CopyOnWriteArrayList<>();
        class LockReader implements AttemptListener, UnitEndRead {
            @Override
            public String sql() {
                return "select 'own locks'";
            }

            @Override
            public void read(java.sql.ResultSet rows) {
                reads.add(String.valueOf(rows));
            }
        }
        try (LockSafe engine = LockSafe.builder(LockSafeSettings.defaults()).listener(new AttemptListener() { })
                .addListener(new LockReader()).clock(clock).sleeper(waits::add).build()) {
            engine.runInTransaction("V1", db.connection(), LockRelease.savepoint(), () -> 1);
        }
        assertThat(db.statements).hasSize(2);
        assertThat(db.statements.get(1)).endsWith("; RELEASE SAVEPOINT locksafe_attempt; select 'own locks'");
        assertThat(reads).as("read once, after the unit").hasSize(1);
    }
}
