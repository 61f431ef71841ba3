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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Liquibase command line ({@code liquibase.integration.commandline.LiquibaseCommandLine}) as a
 * separate process, with LockSafe's jars on its classpath like a user's {@code lib/} folder.
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
                "-cp", System.getProperty("java.class.path"),
                "liquibase.integration.commandline.LiquibaseCommandLine"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LIQUIBASE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String[] update(TestDatabase db, String... more) {
        List<String> args = new ArrayList<>(List.of("--url=" + db.jdbcUrl(), "--username=" + db.user(),
                "--password=" + db.password(), "--changelog-file=changelog.sql",
                "--locksafe-initial-backoff=50ms", "--locksafe-max-backoff=200ms"));
        args.addAll(List.of(more));
        args.add("update");
        return args.toArray(String[]::new);
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
        Path log = dir.resolve("out.log");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            Process p = start(dir, log, Map.of(), update(db, "--locksafe-lock-timeout=200ms",
                    "--locksafe-max-attempts=50"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(log).contains("attempt 2/50 failed") || !p.isAlive());
            report.release();
            String out = finish(p, log);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("LockSafe: changelog.sql::add-note::dev attempt 1/50 failed",
                    "lock_timeout 200ms", "pid=" + report.pid(), "app=report-job", "succeeded on attempt")
                    .doesNotContain("password=" + db.password());
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
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
}
