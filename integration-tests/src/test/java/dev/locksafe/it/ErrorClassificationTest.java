package dev.locksafe.it;

import static dev.locksafe.AttemptEvent.Type.RETRY;
import static dev.locksafe.AttemptEvent.Type.SUCCESS_AFTER_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockRelease;
import dev.locksafe.LockSafe;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.testing.DbWaits;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ErrorClassificationTest {


    @Test
    void syntaxErrorPassesThroughUnchangedAfterOneAttempt(TestDatabase db) throws Exception {
        RecordingListener listener = new RecordingListener();
        AtomicInteger runs = new AtomicInteger();
        SQLException[] original = new SQLException[1];
        try (LockSafe lockSafe = LockSafe.builder(Policies.fast().build()).listener(listener).build();
             Connection c = db.connect()) {
            c.setAutoCommit(false);
            Throwable thrown = catchThrowable(() -> lockSafe.runInTransaction("V1", c, LockRelease.savepoint(), () -> {
                runs.incrementAndGet();
                try {
                    Sql.exec(c, "alter tabel orders add column x int");
                } catch (SQLException e) {
                    original[0] = e;
                    throw e;
                }
                return null;
            }));
            assertThat(thrown).isSameAs(original[0]);
            assertThat(((SQLException) thrown).getSQLState()).isEqualTo("42601");
        }
        assertThat(runs).hasValue(1);
        assertThat(listener.events).isEmpty();
    }

    @Test
    void statementTimeoutIsNotRetried(TestDatabase db) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (LockSafe lockSafe = LockSafe.builder(Policies.fast().statementTimeout(Duration.ofMillis(100)).build()).build();
             Connection c = db.connect()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> lockSafe.runInTransaction("V2", c, LockRelease.savepoint(), () -> {
                runs.incrementAndGet();
                return Sql.string(c, "select pg_sleep(2)");
            })).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void deadlockPassesThroughByDefault(TestDatabase db) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> deadlockOnce(db, Policies.fast().build(), runs, new RecordingListener()))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40P01"));
        assertThat(runs).hasValue(1);
    }

    @Test
    void deadlockIsRetriedWhenListedAndThenSucceeds(TestDatabase db) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        RecordingListener listener = new RecordingListener();
        deadlockOnce(db, Policies.fast().retrySqlStates(Set.of("55P03", "40P01")).build(), runs, listener);
        assertThat(runs).hasValue(2);
        assertThat(listener.types()).containsExactly(RETRY, SUCCESS_AFTER_RETRY);
        assertThat(listener.events.get(0).sqlState()).contains("40P01");
        assertThat(db.hasColumn("b", "note")).isTrue();
    }

    /**
     * A real deadlock: the application holds a and asks for b; the migration holds b and then asks for a.
     * The application asks for b before the migration asks for a, so the cycle exists when the migration
     * starts waiting, and the migration's deadlock check (deadlock_timeout 50ms, against the
     * application's 10s) is the one that finds it: the migration gets 40P01. (A deadlock check runs once
     * per wait: had the migration started waiting first, its check could run before the cycle closed.)
     */
    private static void deadlockOnce(TestDatabase db, LockSafeSettings settings, AtomicInteger runs,
                                     RecordingListener listener) throws Exception {
        db.execute("create table a (id int)", "create table b (id int)");
        AtomicReference<CompletableFuture<Void>> appSide = new AtomicReference<>();
        try (Connection app = db.connect("app"); Connection c = db.connect("migrator");
             LockSafe lockSafe = LockSafe.builder(settings.toBuilder().lockTimeout(Duration.ofSeconds(5)).build())
                     .listener(listener).build()) {
            app.setAutoCommit(false);
            Sql.exec(app, "set deadlock_timeout = '10s'");
            Sql.exec(app, "lock table a in access exclusive mode");
            Sql.exec(c, "set deadlock_timeout = '50ms'");
            c.setAutoCommit(false);
            try {
                lockSafe.runInTransaction("V3", c, LockRelease.savepoint(), () -> {
                    Sql.exec(c, "lock table b in access exclusive mode");
                    if (runs.incrementAndGet() == 1) {
                        appSide.set(CompletableFuture.runAsync(() -> {
                            try {
                                Sql.exec(app, "lock table b in access exclusive mode");
                                app.commit();
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }));
                        DbWaits.untilWaitingForLock(db, "app");
                    }
                    Sql.exec(c, "lock table a in access exclusive mode"); // closes the cycle on the first run
                    Sql.exec(c, "alter table b add column note text");
                    return null;
                });
                c.commit();
            } finally {
                c.rollback();
                if (appSide.get() != null) {
                    appSide.get().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * A setting that carries SQL is refused before the tool runs anything: the migration that would have
     * run is not applied, no history is written, and the table the value names is still there.
     */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void sqlInjectionThroughASettingIsRejectedBeforeAnySqlRuns(Migrator tool, TestDatabase db) {
        db.execute("create table x (id int)");
        assertThatThrownBy(() -> tool.migrate(db, Map.of("lockTimeout", "1s'; DROP TABLE x; --"),
                "CREATE TABLE y (id int);"))
                .hasStackTraceContaining("lockTimeout").hasStackTraceContaining("expected a duration");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("retrySqlStates", "55P03'); DROP TABLE x; --")))
                .isInstanceOf(InvalidSettingException.class);
        assertThat(db.queryColumn("select relname::text from pg_class where relname in ('x', 'y')"))
                .as("x kept, the migration's y never created").containsExactly("x");
        assertThat(tool.recorded(db, 1)).isZero();
    }
}
