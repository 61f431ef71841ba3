package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * On an uncontended migration, LockSafe's whole cost is the round trips it adds between the migration's
 * statements (docs/benchmarks.md, section 2): counted here from the driver's protocol log, so that a change
 * that adds one per migration fails a test instead of showing up as noise in a timed benchmark.
 */
@ExtendWith(PostgresExtension.class)
class RoundTripsTest {

    private static final int MIGRATIONS = 20;

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void lockSafeWithTheZddCheckAddsTwoRoundTripsPerUncontendedMigration(Migrator tool, TestDatabase db)
            throws Exception {
        int plain = roundTrips(() -> tool.migrate(db, Map.of("enabled", "false"), createTables("plain")));
        // the same empty schema for both runs (Flyway baselines a schema that has tables)
        IntStream.rangeClosed(1, MIGRATIONS).forEach(i -> db.execute("drop table plain_" + i));
        tool.forgetHistory(db);
        int lockSafe = roundTrips(() -> tool.migrate(db, Map.of("check", "warn"), createTables("safe")));

        LoggerFactory.getLogger(RoundTripsTest.class).info("{}: {} round trips for {} migrations without LockSafe,"
                + " {} with it ({} more per migration)", tool, plain, MIGRATIONS, lockSafe,
                (lockSafe - plain) / (double) MIGRATIONS);
        // per migration: the savepoint with the timeouts, the restore with the release and the check's lock read;
        // per run: the check's baseline read (a savepoint with its setting, the query, the rollback)
        assertThat(lockSafe - plain).isLessThanOrEqualTo(2 * MIGRATIONS + 3);
        assertThat(db.queryLong("select count(*) from pg_tables where tablename like 'safe\\_%'"))
                .isEqualTo(MIGRATIONS);
    }

    private static String[] createTables(String prefix) {
        return IntStream.rangeClosed(1, MIGRATIONS)
                .mapToObj(i -> "create table " + prefix + "_" + i + " (id int primary key, v text);")
                .toArray(String[]::new);
    }

    private interface Run {
        void run() throws Exception;
    }

    /** The round trips {@code run} makes on this thread: each ends with the client's Sync message. */
    private static int roundTrips(Run run) throws Exception {
        Logger driver = Logger.getLogger("org.postgresql");
        Level level = driver.getLevel();
        Thread self = Thread.currentThread();
        AtomicInteger syncs = new AtomicInteger();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (Thread.currentThread() == self && String.valueOf(record.getMessage()).contains("FE=> Sync")) {
                    syncs.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        driver.addHandler(counter);
        driver.setLevel(Level.FINEST);
        try {
            run.run();
        } finally {
            driver.setLevel(level);
            driver.removeHandler(counter);
        }
        return syncs.get();
    }
}
