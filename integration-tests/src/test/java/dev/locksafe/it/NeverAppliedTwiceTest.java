package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A retry replays a migration (a changeset) from its start. That is safe only while everything it did is
 * still uncommitted: when the migration commits on its own and then times out, LockSafe must not retry.
 */
@ExtendWith(PostgresExtension.class)
class NeverAppliedTwiceTest {

    @ParameterizedTest
    @EnumSource(Migrator.class)
    void aMigrationThatCommittedItselfBeforeTimingOutFailsWithoutARetry(Migrator tool, TestDatabase db)
            throws Exception {
        // LockSafe's SET LOCAL ends with the transaction the migration commits: what runs after the COMMIT
        // waits with the session's own lock_timeout, here a database default (without one it would wait as
        // long as the blocker lives, as with the plain tool)
        db.execute("create table orders (id int)", "create table audit (n int)",
                "alter database " + db.name() + " set lock_timeout = '2s'");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            Throwable failure = catchThrowable(() -> tool.migrate(db, Map.of("lockTimeout", "200ms", "maxAttempts", "5",
                            "initialBackoff", "100ms", "maxBackoff", "200ms"),
                    "INSERT INTO audit VALUES (1); COMMIT; ALTER TABLE orders ADD COLUMN note text;"));
            assertThat(failure).as("migrate fails").isNotNull();
            if (tool == Migrator.LIQUIBASE) {
                // Liquibase: the changeset's savepoint is gone, said at once. (Flyway fails its later attempts
                // itself without running the script again, so the INSERT is not replayed either: counted below)
                assertThat(failure).hasStackTraceContaining("LockSafe cannot retry")
                        .hasStackTraceContaining("A retry would apply it a second time");
            }
        }
        assertThat(db.queryLong("select count(*) from audit")).as("rows the committed part inserted").isOne();
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(tool.recorded(db, 1)).isZero();
    }

    /** The look-alike: without a COMMIT of its own, the same migration is retried and applied once. */
    @ParameterizedTest
    @EnumSource(Migrator.class)
    void aMigrationThatDidNotCommitIsRetriedAndAppliedOnce(Migrator tool, TestDatabase db) throws Exception {
        db.execute("create table orders (id int)", "create table audit (n int)");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            report.releaseOnceAWaiterGaveUp();
            tool.migrate(db, Map.of("lockTimeout", "200ms", "initialBackoff", "100ms", "maxAttempts", "50"),
                    "INSERT INTO audit VALUES (1); ALTER TABLE orders ADD COLUMN note text;");
        }
        assertThat(db.queryLong("select count(*) from audit")).isOne();
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(tool.recorded(db, 1)).isOne();
    }
}
