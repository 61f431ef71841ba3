package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Liquibase command line ({@code liquibase.integration.commandline.LiquibaseCommandLine}) as a
 * separate process, with LockSafe's jars on its classpath like a user's {@code lib/} folder, and, like
 * the real distribution, no SLF4J provider: whatever LockSafe says must reach Liquibase's own output.
 */
@ExtendWith(PostgresExtension.class)
class LiquibaseCliTest {

    private static final String CHANGELOG = "--liquibase formatted sql\n"
            + "--changeset dev:add-note\n"
            + "ALTER TABLE orders ADD COLUMN note text;\n";

    private static Path project(TestDatabase db) throws IOException {
        db.execute("create table orders (id bigint primary key)");
        Path dir = Files.createTempDirectory("liquibase-cli-it");
        Files.writeString(dir.resolve("changelog.sql"), CHANGELOG, StandardCharsets.UTF_8);
        return dir;
    }

    private static Process start(Path dir, Path log, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", withoutSlf4jProvider(System.getProperty("java.class.path")),
                "liquibase.integration.commandline.LiquibaseCommandLine"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LIQUIBASE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * The test classpath without logback and the JUL bridge, as the Liquibase distribution ships, and without
     * Testcontainers, whose JDBC driver logs through SLF4J as soon as {@code DriverManager} loads it.
     */
    private static String withoutSlf4jProvider(String classpath) {
        return java.util.Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("logback") && !entry.contains("jul-to-slf4j")
                        && !entry.contains("testcontainers"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static String[] update(TestDatabase db, String... more) {
        List<String> args = new ArrayList<>(List.of("--url=" + db.jdbcUrl(), "--username=" + db.user(),
                "--password=" + db.password(), "--changelog-file=changelog.sql",
                "--locksafe-initial-backoff=50ms", "--locksafe-max-backoff=200ms"));
        args.addAll(List.of(more));
        args.add("update");
        return args.toArray(String[]::new);
    }

    /** A blocker's end: what the test does once the console shows the failed attempt it waits for. */
    private interface Release {
        void run() throws Exception;
    }

    /**
     * Runs {@code update} with a 200ms lock timeout and 50 attempts, calls {@code release} once the console
     * shows {@code attemptFailed}, and returns the console after a successful update.
     */
    private static String updateReleasingAfter(TestDatabase db, Path dir, String attemptFailed, Release release,
                                               String... args) throws Exception {
        Path log = dir.resolve("out.log");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--locksafe-lock-timeout=200ms", "--locksafe-max-attempts=50"));
        Process p = start(dir, log, Map.of(), update(db, all.toArray(String[]::new)));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.readString(log).contains(attemptFailed) || !p.isAlive());
        release.run();
        String out = finish(p, log);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String finish(Process p, Path log) throws Exception {
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return Files.readString(log);
    }

    @Test
    void blockedChangesetIsRetriedOnTheConsoleWithTheBlocker(TestDatabase db) throws Exception {
        Path dir = project(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            String out = updateReleasingAfter(db, dir, "attempt 2/50 failed", report::release);
            assertThat(out).contains("LockSafe: changelog.sql::add-note::dev attempt 1/50 failed",
                    "lock_timeout 200ms", "pid=" + report.pid(), "app=report-job", "succeeded on attempt")
                    .doesNotContain("password=" + db.password())
                    // no SLF4J provider here, as in Liquibase's distribution: LockSafe must not make SLF4J complain
                    .doesNotContain("SLF4J");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void atLogLevelInfoEachLineIsPrintedOncePerChannel(TestDatabase db) throws Exception {
        Path dir = project(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            String out = updateReleasingAfter(db, dir, "attempt 1/50 failed", report::release, "--log-level=INFO");
            // the log line and the console line; not the console line logged again
            assertThat(out.lines().filter(l -> l.contains("add-note::dev attempt 1/50 failed"))).as(out).hasSize(2);
            assertThat(out.lines().filter(l -> l.contains("succeeded on attempt"))).as(out).hasSize(2);
        }
    }

    /**
     * A concurrent index build held up by an old transaction: the build and then LockSafe's own drop of its
     * INVALID leftover time out. Without an SLF4J provider, the cleanup's warning still reaches the console,
     * and the attempt that failed in the drop names the drop, not the build.
     */
    @Test
    void theIndexCleanupIsVisibleOnTheConsoleAndAFailedDropIsNamed(TestDatabase db) throws Exception {
        Path dir = project(db);
        Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n"
                + "--changeset dev:idx runInTransaction:false\n"
                + "-- Copyright header that the retry line skips\n"
                + "CREATE INDEX CONCURRENTLY idx_orders_id ON orders (id);\n", StandardCharsets.UTF_8);
        // a report in REPEATABLE READ: its snapshot holds the build up, its ACCESS SHARE lock the drop
        try (Connection old = db.connect("old-report")) {
            old.setAutoCommit(false);
            old.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Sql.exec(old, "lock table orders in access share mode");
            Sql.exec(old, "select txid_current()");
            String out = updateReleasingAfter(db, dir, "attempt 2/50 failed", old::rollback);
            assertThat(out).contains("could not drop the INVALID index left by the failed concurrent build yet",
                    "Statement: CREATE INDEX CONCURRENTLY idx_orders_id ON orders (id)",
                    "Statement: DROP INDEX CONCURRENTLY IF EXISTS public.idx_orders_id", "app=old-report",
                    "dropped the INVALID index public.idx_orders_id");
        }
        assertThat(db.queryLong("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid"
                + " where c.relname = 'idx_orders_id' and i.indisvalid")).isOne();
    }

    @Test
    void settingsComeFromLiquibasePropertiesAndStrictModeKnowsThem(TestDatabase db) throws Exception {
        Path dir = project(db);
        Files.writeString(dir.resolve("liquibase.properties"),
                "liquibase.strict=true\nliquibase.locksafe.maxAttempts=2\nliquibase.locksafe.lockTimeout=100ms\n");
        assertGivesUpAfter(db, dir, 2, Map.of(), "--defaults-file=liquibase.properties");
    }

    @Test
    void settingsComeFromEnvironmentVariables(TestDatabase db) throws Exception {
        Path dir = project(db);
        assertGivesUpAfter(db, dir, 3, Map.of("LIQUIBASE_LOCKSAFE_MAX_ATTEMPTS", "3",
                "LIQUIBASE_LOCKSAFE_LOCK_TIMEOUT", "100ms"));
    }

    @Test
    void helpListsTheSettings(TestDatabase db) throws Exception {
        Path dir = project(db);
        Path log = dir.resolve("help.log");
        String out = finish(start(dir, log, Map.of(), "--help"), log);
        assertThat(out).contains("--locksafe-lock-timeout", "lock_timeout of the first attempt",
                "--locksafe-max-attempts");
    }

    @Test
    void invalidSettingStopsUpdateBeforeAnyChangesetRuns(TestDatabase db) throws Exception {
        Path dir = project(db);
        Path log = dir.resolve("out.log");
        Process p = start(dir, log, Map.of(), update(db, "--locksafe-jitter=lots"));
        String out = finish(p, log);
        assertThat(p.exitValue()).isNotZero();
        assertThat(out).contains("Invalid LockSafe setting liquibase.locksafe.jitter='lots': expected a decimal number");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    private static void assertGivesUpAfter(TestDatabase db, Path dir, int attempts, Map<String, String> env,
                                           String... args) throws Exception {
        Path log = dir.resolve("out.log");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of(update(db)));
            Process p = start(dir, log, env, all.toArray(String[]::new));
            String out = finish(p, log);
            assertThat(p.exitValue()).as(out).isNotZero();
            assertThat(out).contains("changelog.sql::add-note::dev gave up after " + attempts + " attempts",
                    "lock_timeout 100ms");
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from databasechangelog")).isZero();
    }

    @Test
    void theZddCheckFailsABreakingChangesetOnTheConsoleAndAcceptsItWithItsMarker(TestDatabase db) throws Exception {
        Path dir = project(db);
        Path log = dir.resolve("zdd.log");
        // release N: add-note applied
        Process releaseN = start(dir, log, Map.of(), update(db));
        assertThat(releaseN.waitFor(120, TimeUnit.SECONDS) && releaseN.exitValue() == 0).as(Files.readString(log)).isTrue();

        Files.writeString(dir.resolve("changelog.sql"), CHANGELOG + "--changeset dev:drop-note\n"
                + "ALTER TABLE orders DROP COLUMN note;\n", StandardCharsets.UTF_8);
        Process p = start(dir, log, Map.of(), update(db, "--locksafe-check=fail"));
        String out = finish(p, log);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("ERROR: LockSafe ZDD: changelog.sql::drop-note::dev B101 drop-column public.orders.note",
                "Recipe:");
        assertThat(db.hasColumn("orders", "note")).isTrue();

        Files.writeString(dir.resolve("changelog.sql"), CHANGELOG + "--changeset dev:drop-note\n"
                + "--comment: locksafe:allow B101 reason: note unused since release 41\n"
                + "ALTER TABLE orders DROP COLUMN note;\n", StandardCharsets.UTF_8);
        Process allowed = start(dir, log, Map.of(), update(db, "--locksafe-check=fail"));
        String out2 = finish(allowed, log);
        assertThat(allowed.exitValue()).as(out2).isZero();
        assertThat(out2).contains("B101 drop-column public.orders.note: allowed by its marker, reason: note unused since release 41");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }
}
