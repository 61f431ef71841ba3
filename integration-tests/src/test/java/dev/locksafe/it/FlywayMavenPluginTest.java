package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real {@code mvn flyway:migrate} with locksafe-flyway as a dependency of the Flyway Maven plugin. */
@ExtendWith(PostgresExtension.class)
class FlywayMavenPluginTest {

    private static final String FLYWAY_PLUGIN_VERSION = "13.12.0";

    private static Path project(TestDatabase db, MigrationFiles files) throws Exception {
        return project(db, files, "");
    }

    private static Path project(TestDatabase db, MigrationFiles files, String extraProperties) throws Exception {
        Path repo = MavenProject.lockSafeRepository().toAbsolutePath();
        Path dir = Files.createTempDirectory("flyway-maven-it");
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "  <modelVersion>4.0.0</modelVersion>\n"
                + "  <groupId>example</groupId><artifactId>app</artifactId><version>1</version><packaging>pom</packaging>\n"
                + "  <properties>\n"
                + "    <flyway.locksafe.lockTimeout>150ms</flyway.locksafe.lockTimeout>\n"
                + "    <flyway.locksafe.initialBackoff>50ms</flyway.locksafe.initialBackoff>\n"
                + "    <flyway.locksafe.maxBackoff>200ms</flyway.locksafe.maxBackoff>\n"
                + extraProperties
                + "  </properties>\n"
                + "  <pluginRepositories><pluginRepository><id>locksafe-it</id><url>" + repo.toUri()
                + "</url></pluginRepository></pluginRepositories>\n"
                + "  <build><plugins><plugin>\n"
                + "    <groupId>org.flywaydb</groupId><artifactId>flyway-maven-plugin</artifactId>\n"
                + "    <version>" + FLYWAY_PLUGIN_VERSION + "</version>\n"
                + "    <configuration>\n"
                + "      <url>" + db.jdbcUrl() + "</url><user>" + db.user() + "</user><password>" + db.password()
                + "</password>\n"
                + "      <locations><location>" + files.flywayLocation() + "</location></locations>\n"
                + "      <baselineOnMigrate>true</baselineOnMigrate><baselineVersion>0</baselineVersion>\n"
                + "    </configuration>\n"
                + "    <dependencies>\n"
                + "      <dependency><groupId>dev.locksafe</groupId><artifactId>locksafe-flyway</artifactId><version>"
                + MavenProject.VERSION + "</version></dependency>\n"
                + "      <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-database-postgresql</artifactId>"
                + "<version>" + FLYWAY_PLUGIN_VERSION + "</version></dependency>\n"
                + "      <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
                + "<version>42.7.8</version></dependency>\n"
                + "    </dependencies>\n"
                + "  </plugin></plugins></build>\n"
                + "</project>\n";
        Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        return dir;
    }

    @Test
    void blockedMigrationIsRetriedInTheMavenLogWithSettingsFromPomPropertiesAndMinusD(TestDatabase db)
            throws Exception {
        db.execute("create table orders (id bigint primary key, status text)");
        MigrationFiles files = MigrationFiles.create().add("V1__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
        Path dir = project(db, files);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            MavenProject.Run run = MavenProject.start(dir, "-Dflyway.locksafe.maxAttempts=40",
                    "org.flywaydb:flyway-maven-plugin:" + FLYWAY_PLUGIN_VERSION + ":migrate");
            await().atMost(Duration.ofMinutes(5))
                    .until(() -> run.output().contains("attempt 1/40 failed") || !run.isRunning());
            report.release();
            int exit = run.waitFor();
            String out = run.output();
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("LockSafe: V1__add_note.sql attempt 1/40 failed", "lock_timeout 150ms",
                    "pid=" + report.pid(), "app=report-job", "LockSafe: V1__add_note.sql succeeded on attempt");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '1' and success")).isOne();
    }

    @Test
    void invalidMinusDSettingFailsTheBuildNamingTheSetting(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key, status text)");
        MigrationFiles files = MigrationFiles.create().add("V1__add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
        MavenProject.Run run = MavenProject.start(project(db, files), "-Dflyway.locksafe.jitter=2",
                "org.flywaydb:flyway-maven-plugin:" + FLYWAY_PLUGIN_VERSION + ":migrate");
        assertThat(run.waitFor()).isNotZero();
        assertThat(run.output()).contains("Invalid LockSafe setting flyway.locksafe.jitter='2': expected a number between 0.0 and 1.0");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    /**
     * The first half of docs/zdd.md's CI job, end to end: a scratch database brought to the production version
     * unchecked with Flyway's own target, then the next release's migrations with check=fail and reports; the
     * pipeline's allow-failure switch (FLYWAY_LOCKSAFE_CHECK=warn) lets the same run through.
     */
    @Test
    void theZddCiJobFailsTheNextReleasesBreakingMigrationWithAJunitReportAndTheVariableAllowsIt(TestDatabase db)
            throws Exception {
        MigrationFiles files = MigrationFiles.create()
                .add("V1__orders.sql", "create table orders (id bigint primary key, note text);\n")
                .add("V2__drop_note.sql", "ALTER TABLE orders DROP COLUMN note;\n");
        Path dir = project(db, files, "    <flyway.locksafe.check>fail</flyway.locksafe.check>\n");
        String migrate = "org.flywaydb:flyway-maven-plugin:" + FLYWAY_PLUGIN_VERSION + ":migrate";

        MavenProject.Run production = MavenProject.start(dir, "-Dflyway.target=1", "-Dflyway.locksafe.check=off", migrate);
        assertThat(production.waitFor()).as(production.output()).isZero();

        Path reports = dir.resolve("target/zdd");
        MavenProject.Run next = MavenProject.start(dir, "-Dflyway.locksafe.checkReport=" + reports, migrate);
        assertThat(next.waitFor()).as(next.output()).isNotZero();
        assertThat(next.output()).contains("LockSafe ZDD check failed for V2__drop_note.sql",
                "B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(Files.readString(reports.resolve("locksafe-zdd-junit.xml")))
                .contains("failures=\"1\"", "<failure type=\"B101\"");

        MavenProject.Run allowed = MavenProject.start(dir, java.util.Map.of("FLYWAY_LOCKSAFE_CHECK", "warn"), migrate);
        assertThat(allowed.waitFor()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("[WARNING] LockSafe ZDD: V2__drop_note.sql B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }
}
