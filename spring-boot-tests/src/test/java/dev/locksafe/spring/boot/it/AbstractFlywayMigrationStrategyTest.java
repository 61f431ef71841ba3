package dev.locksafe.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application's own {@code FlywayMigrationStrategy} stays in charge: LockSafe defines none and
 * replaces none. Boot 3 and 4 keep that interface in different packages, so each Boot module supplies
 * the application; the test is the same.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
abstract class AbstractFlywayMigrationStrategyTest {

    /** Incremented by the application's strategy, which then calls {@code flyway.migrate()}. */
    static final AtomicInteger STRATEGY_CALLS = new AtomicInteger();

    /** An application whose {@code FlywayMigrationStrategy} bean counts in {@link #STRATEGY_CALLS} and migrates. */
    abstract Class<?> applicationWithMigrationStrategy();

    @Test
    void applicationsOwnMigrationStrategyStaysInChargeWhileLockSafeRetries(TestDatabase db, CapturedOutput output)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        STRATEGY_CALLS.set(0);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            report.releaseWhen(() -> output.getOut().contains("attempt 1/10 failed"));
            try (ConfigurableApplicationContext context = StartupMigrationTest.start(applicationWithMigrationStrategy(),
                    StartupMigrationTest.Tool.FLYWAY, db, StartupMigrationTest.FAST, Map.of())) {
                assertThat(context.isActive()).isTrue();
            }
        }
        assertThat(STRATEGY_CALLS).hasValue(1);
        assertThat(output.getOut()).contains("V1__add_note.sql attempt 1/10 failed");
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }
}
