package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real {@code mvn liquibase:update} with locksafe-liquibase as a dependency of the Liquibase Maven plugin. */
@ExtendWith(PostgresExtension.class)
class LiquibaseMavenPluginTest {

    private static final String PLUGIN = "org.liquibase:liquibase-maven-plugin:4.33.0:update";

    private static Path project(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        Path dir = Files.createTempDirectory("liquibase-maven-it");
        Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n--changeset dev:add-note\n"
                + "ALTER TABLE orders ADD COLUMN note text;\n", StandardCharsets.UTF_8);
        return project(db, dir, "changelog.sql", "");
    }

    /** A project in {@code dir} whose changelog is {@code changeLogFile} (a Maven expression may choose it). */
    private static Path project(TestDatabase db, Path dir, String changeLogFile, String extraProperties) throws Exception {
        Path repo = MavenProject.lockSafeRepository().toAbsolutePath();
        Files.writeString(dir.resolve("liquibase.properties"),
                "liquibase.locksafe.lockTimeout=150ms\nliquibase.locksafe.initialBackoff=50ms\n"
                        + "liquibase.locksafe.maxBackoff=200ms\n" + extraProperties, StandardCharsets.UTF_8);
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "  <modelVersion>4.0.0</modelVersion>\n"
                + "  <groupId>example</groupId><artifactId>app</artifactId><version>1</version><packaging>pom</packaging>\n"
                + "  <pluginRepositories><pluginRepository><id>locksafe-it</id><url>" + repo.toUri()
                + "</url></pluginRepository></pluginRepositories>\n"
                + "  <build><plugins><plugin>\n"
                + "    <groupId>org.liquibase</groupId><artifactId>liquibase-maven-plugin</artifactId><version>4.33.0</version>\n"
                + "    <configuration>\n"
                + "      <url>" + db.jdbcUrl() + "</url><username>" + db.user() + "</username><password>" + db.password()
                + "</password>\n"
                + "      <changeLogFile>" + changeLogFile + "</changeLogFile><searchPath>${basedir}</searchPath>\n"
                + "      <propertyFile>liquibase.properties</propertyFile>\n"
                + "    </configuration>\n"
                + "    <dependencies>\n"
                + "      <dependency><groupId>dev.locksafe</groupId><artifactId>locksafe-liquibase</artifactId><version>"
                + MavenProject.VERSION + "</version></dependency>\n"
                + "      <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
                + "<version>42.7.8</version></dependency>\n"
                + "    </dependencies>\n"
                + "  </plugin></plugins></build>\n"
                + "</project>\n";
        Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        return dir;
    }

    @Test
    void blockedChangesetIsRetriedInTheMavenLogWithSettingsFromThePropertyFileAndMinusD(TestDatabase db)
            throws Exception {
        Path dir = project(db);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            MavenProject.Run run = MavenProject.start(dir, "-Dliquibase.locksafe.maxAttempts=40", PLUGIN);
            await().atMost(Duration.ofMinutes(5))
                    .until(() -> run.output().contains("attempt 1/40 failed") || !run.isRunning());
            report.release();
            int exit = run.waitFor();
            String out = run.output();
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("[WARNING] LockSafe: changelog.sql::add-note::dev attempt 1/40 failed",
                    "lock_timeout 150ms", "succeeded on attempt");
            // each line once: the Maven plugin's UI writes to the same log
            assertThat(out.split("attempt 1/40 failed", -1)).hasSize(2);
            // the plugin bundles Liquibase's commercial extension, whose connection class wins over LockSafe's;
            // the blocker lookup connects with the plugin's own configuration instead, and names the blocker
            assertThat(out).contains("Statement: ALTER TABLE orders ADD COLUMN note text. Blocked by: [pid="
                    + report.pid(), "app=report-job").doesNotContain("blocking sessions are not reported");
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(db.queryLong("select count(*) from databasechangelog where id = 'add-note'")).isOne();
    }

    @Test
    void invalidMinusDSettingFailsTheBuildNamingTheSetting(TestDatabase db) throws Exception {
        MavenProject.Run run = MavenProject.start(project(db), "-Dliquibase.locksafe.maxAttempts=0", PLUGIN);
        assertThat(run.waitFor()).isNotZero();
        assertThat(run.output()).contains(
                "Invalid LockSafe setting liquibase.locksafe.maxAttempts='0': expected a whole number between 1 and 1000");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    /**
     * The first half of docs/zdd.md's CI job, end to end: release N's changelog applied unchecked, then the next
     * release's (which includes it) with check=fail from liquibase.properties and reports; the pipeline's
     * allow-failure switch (LIQUIBASE_LOCKSAFE_CHECK=warn) lets the same run through.
     */
    @Test
    void theZddCiJobFailsTheNextReleasesBreakingChangesetWithAJunitReportAndTheVariableAllowsIt(TestDatabase db)
            throws Exception {
        Path dir = Files.createTempDirectory("liquibase-maven-zdd");
        Files.writeString(dir.resolve("release-n.sql"), "--liquibase formatted sql\n--changeset dev:orders\n"
                + "create table orders (id bigint primary key, note text);\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("next.xml"), "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
                + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd\">\n"
                + "  <include file=\"release-n.sql\"/>\n"
                + "  <changeSet id=\"drop-note\" author=\"dev\"><dropColumn tableName=\"orders\" columnName=\"note\"/></changeSet>\n"
                + "</databaseChangeLog>\n", StandardCharsets.UTF_8);
        Path reports = dir.resolve("target/zdd");
        project(db, dir, "${zdd.changelog}", "liquibase.locksafe.check=fail\nliquibase.locksafe.checkReport=" + reports + "\n");

        MavenProject.Run production = MavenProject.start(dir, "-Dzdd.changelog=release-n.sql",
                "-Dliquibase.locksafe.check=off", PLUGIN);
        assertThat(production.waitFor()).as(production.output()).isZero();

        MavenProject.Run next = MavenProject.start(dir, "-Dzdd.changelog=next.xml", PLUGIN);
        assertThat(next.waitFor()).as(next.output()).isNotZero();
        assertThat(next.output()).contains("LockSafe ZDD check failed for next.xml::drop-note::dev",
                "B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(Files.readString(reports.resolve("locksafe-zdd-junit.xml")))
                .contains("failures=\"1\"", "<failure type=\"B101\"");

        MavenProject.Run allowed = MavenProject.start(dir, java.util.Map.of("LIQUIBASE_LOCKSAFE_CHECK", "warn"),
                "-Dzdd.changelog=next.xml", PLUGIN);
        assertThat(allowed.waitFor()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("LockSafe ZDD: next.xml::drop-note::dev B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }
}
