package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Flyway command line (11.8.2, the newest on Maven Central) with LockSafe's jars in drivers/. */
@ExtendWith(PostgresExtension.class)
class FlywayCliTest {

    private static FlywayCli cli;

    @BeforeAll
    static void install() {
        cli = FlywayCli.withLockSafeInDrivers();
    }

    private static MigrationFiles migrations(TestDatabase db) {
        db.execute("create table orders (id bigint primary key, status text)");
        return MigrationFiles.create().add("V1__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
    }

    private static String[] connection(TestDatabase db, MigrationFiles files, String... more) {
        String[] base = {"-url=" + db.jdbcUrl(), "-user=" + db.user(), "-password=" + db.password(),
                "-locations=" + files.flywayLocation(), "-baselineOnMigrate=true", "-baselineVersion=0", "-locksafe.initialBackoff=50ms",
                "-locksafe.maxBackoff=200ms"};
        String[] all = new String[base.length + more.length + 1];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        all[all.length - 1] = "migrate";
        return all;
    }

    @Test
    void blockedMigrationIsRetriedAndEachAttemptShowsOnTheConsoleWithTheBlocker(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            FlywayCli.Run run = cli.start(files.dir(), Map.of(),
                    connection(db, files, "-locksafe.lockTimeout=200ms", "-locksafe.maxAttempts=50"));
            await().atMost(Duration.ofSeconds(60)).until(() -> run.output().contains("attempt 2/50 failed"));
            report.release();
            int exit = run.waitFor();
            String out = run.output();
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("LockSafe: V1__add_note.sql attempt 1/50 failed", "SQLSTATE 55P03",
                    "lock_timeout 200ms", "pid=" + report.pid(), "app=report-job",
                    "LockSafe: V1__add_note.sql succeeded on attempt");
            assertThat(out).doesNotContain(db.password() + "@", "password=" + db.password());
            // the command line ships no SLF4J provider: LockSafe must not make SLF4J complain on its console
            assertThat(out).doesNotContain("SLF4J");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void settingsComeFromFlywayConf(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        Path conf = files.dir().resolve("flyway.conf");
        Files.writeString(conf, "flyway.locksafe.maxAttempts=2\nflyway.locksafe.lockTimeout=100ms\n");
        assertGivesUpAfter(db, files, 2, Map.of(), "-configFiles=" + conf);
    }

    @Test
    void settingsComeFromFlywayToml(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        Path toml = files.dir().resolve("flyway.toml");
        Files.writeString(toml, "[flyway.locksafe]\nmaxAttempts = 3\nlockTimeout = \"100ms\"\n");
        assertGivesUpAfter(db, files, 3, Map.of(), "-configFiles=" + toml);
    }

    @Test
    void settingsComeFromEnvironmentVariables(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        assertGivesUpAfter(db, files, 4, Map.of("FLYWAY_LOCKSAFE_MAX_ATTEMPTS", "4",
                "FLYWAY_LOCKSAFE_LOCK_TIMEOUT", "100ms"));
    }

    @Test
    void misspeltEnvironmentVariableIsWarnedAboutWithTheClosestKnownVariable(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        FlywayCli.Run run = cli.start(files.dir(), Map.of("FLYWAY_LOCKSAFE_LOCK_TIMOUT", "1s"), connection(db, files));
        int exit = run.waitFor();
        assertThat(exit).as(run.output()).isZero();
        assertThat(run.output()).contains("LockSafe: ignoring unknown environment variable FLYWAY_LOCKSAFE_LOCK_TIMOUT;"
                + " did you mean FLYWAY_LOCKSAFE_LOCK_TIMEOUT?");
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void invalidSettingStopsTheCliBeforeAnyMigrationRuns(TestDatabase db) throws Exception {
        MigrationFiles files = migrations(db);
        FlywayCli.Run run = cli.start(files.dir(), Map.of(), connection(db, files, "-locksafe.maxAttempts=lots"));
        int exit = run.waitFor();
        assertThat(exit).isNotZero();
        assertThat(run.output()).contains(
                "Invalid LockSafe setting flyway.locksafe.maxAttempts='lots': expected a whole number");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void theZddCheckFailsABreakingMigrationOnTheConsoleAndTheEnvironmentVariableLetsItThrough(TestDatabase db)
            throws Exception {
        MigrationFiles files = migrations(db); // V1 adds orders.note: release N
        FlywayCli.Run releaseN = cli.start(files.dir(), Map.of(), connection(db, files));
        assertThat(releaseN.waitFor()).as(releaseN.output()).isZero();

        files.add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        FlywayCli.Run checked = cli.start(files.dir(), Map.of(), connection(db, files, "-locksafe.check=fail"));
        checked.waitFor(); // the 11.8.2 command line exits 0 after any failed migration (seen with LockSafe off too)
        assertThat(checked.output()).contains("ERROR: LockSafe ZDD: V2__drop_note.sql B101 drop-column public.orders.note",
                "Recipe:", "Migration of schema \"public\" to version \"2 - drop note\" failed! Changes successfully rolled back");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '2'")).isZero();

        // the pipeline's allow-failure switch, with check=fail in flyway.conf
        Path conf = files.dir().resolve("flyway.conf");
        Files.writeString(conf, "flyway.locksafe.check=fail\n");
        FlywayCli.Run allowed = cli.start(files.dir(), Map.of("FLYWAY_LOCKSAFE_CHECK", "warn"),
                connection(db, files, "-configFiles=" + conf));
        assertThat(allowed.waitFor()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("LockSafe ZDD: V2__drop_note.sql B101 drop-column public.orders.note");
        assertThat(checked.output() + allowed.output()).doesNotContain("SLF4J");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    private static void assertGivesUpAfter(TestDatabase db, MigrationFiles files, int attempts, Map<String, String> env,
                                           String... args) throws Exception {
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            FlywayCli.Run run = cli.start(files.dir(), env, connection(db, files, args));
            run.waitFor(); // Flyway CLI 11.8.2 exits with 0 even when migrate fails, so the output tells
            assertThat(run.output()).contains("V1__add_note.sql gave up after " + attempts + " attempts",
                    "lock_timeout 100ms", "Changes successfully rolled back");
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '1'")).isZero();
    }
}
