package dev.locksafe.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A Spring Boot application starting up, as in production: Boot runs Flyway or Liquibase, LockSafe's
 * starter is on the class path, settings come from application.properties or the environment.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class StartupMigrationTest {

    enum Tool {
        FLYWAY("spring.liquibase.enabled=false", "spring.flyway.baseline-on-migrate=true",
                "spring.flyway.baseline-version=0"),
        LIQUIBASE("spring.flyway.enabled=false", "spring.liquibase.change-log=classpath:db/changelog/changelog.sql");

        final String[] properties;

        Tool(String... properties) {
            this.properties = properties;
        }
    }

    /** Fast, predictable retries for the tests. */
    static final String FAST = "locksafe.lock-timeout=200ms\nlocksafe.initial-backoff=50ms\n"
            + "locksafe.max-backoff=200ms\nlocksafe.jitter=0\n";

    /**
     * Starts the application with {@code applicationProperties} as its application.properties file and
     * {@code environment} as its whole process environment.
     */
    private static ConfigurableApplicationContext start(Tool tool, TestDatabase db, String applicationProperties,
                                                        Map<String, Object> environment) {
        return start(TestApplication.class, tool, db, applicationProperties, environment);
    }

    static ConfigurableApplicationContext start(Class<?> application, Tool tool, TestDatabase db,
                                                        String applicationProperties, Map<String, Object> environment) {
        Path dir;
        try {
            dir = Files.createTempDirectory("boot-app");
            String file = "spring.datasource.url=" + db.jdbcUrl() + "\nspring.datasource.username=" + db.user()
                    + "\nspring.datasource.password=" + db.password() + "\nspring.main.web-application-type=none\n"
                    + String.join("\n", tool.properties) + "\n" + applicationProperties;
            Files.writeString(dir.resolve("application.properties"), file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        environment));
        SpringApplication app = new SpringApplication(application);
        app.setEnvironment(env);
        try {
            return app.run("--spring.config.location=file:" + dir.resolve("application.properties"));
        } finally {
            // read once at startup: leave nothing behind in the temporary directory
            deleteQuietly(dir.resolve("application.properties"));
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover temporary file is not a test failure
        }
    }

    private static String lockTimeoutSeenByTheMigration(TestDatabase db) {
        return db.queryString("select lock_timeout from seen_by_migration");
    }

    private static double count(MeterRegistry registry, String name, String outcome) {
        return registry.find(name).tag("outcome", outcome).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void blockedMigrationAtStartupIsRetriedTheApplicationStartsAndTheMetricsShowTheAttempts(Tool tool, TestDatabase db,
                                                                                           CapturedOutput output)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            // the blocker ends once the migration waited for it and gave up at least once
            CompletableFuture<Void> released = report.releaseOnceAWaiterGaveUp();
            try (ConfigurableApplicationContext context = start(tool, db,
                    FAST + "logging.structured.format.console=logstash\n", Map.of())) {
                released.get(30, TimeUnit.SECONDS);
                assertThat(context.isActive()).isTrue();
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(count(registry, "locksafe.attempts", "retry")).isGreaterThanOrEqualTo(1);
                assertThat(count(registry, "locksafe.attempts", "success")).isEqualTo(1);
                assertThat(registry.find("locksafe.lock.timeouts").tag("sqlstate", "55P03").counter().count())
                        .isGreaterThanOrEqualTo(1);
                assertThat(registry.find("locksafe.lock.wait").timer().count()).isGreaterThanOrEqualTo(1);
                // the blocker ended during the wait, which then ended too: a blocker-aware wait, shorter than 50ms
                assertThat(registry.find("locksafe.backoff").tag("wait", "blockers").timer().count())
                        .isGreaterThanOrEqualTo(1);
                assertThat(registry.find("locksafe.attempts").counters())
                        .allSatisfy(c -> assertThat(c.getId().getTag("tool")).isEqualTo(tool.name().toLowerCase()));
            }
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(lockTimeoutSeenByTheMigration(db)).isEqualTo("200ms");
        String retryLine = output.getOut().lines().filter(l -> l.contains("attempt 1/10 failed")).findFirst().orElseThrow(
                () -> new AssertionError("no retry line in:\n" + output.getOut()));
        // one JSON object per line, with LockSafe's MDC as fields, and the blocker named
        assertThat(retryLine).startsWith("{").contains("\"locksafe.outcome\":\"retry\"", "\"locksafe.attempt\":\"1\"",
                "\"locksafe.tool\":\"" + tool.name().toLowerCase() + "\"", "\"locksafe.migration\":", "app=report-job");
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void settingsComeFromEnvironmentVariables(Tool tool, TestDatabase db) {
        db.execute("create table orders (id bigint primary key)");
        Map<String, Object> env = new HashMap<>();
        env.put("LOCKSAFE_LOCK_TIMEOUT", "321ms");
        env.put("LOCKSAFE_MAX_ATTEMPTS", "3");
        try (ConfigurableApplicationContext context = start(tool, db, "", env)) {
            assertThat(context.getBean(dev.locksafe.LockSafeSettings.class).maxAttempts()).isEqualTo(3);
        }
        assertThat(lockTimeoutSeenByTheMigration(db)).isEqualTo("321ms");
    }

    /**
     * Two applications in one JVM (two services in one server, a test suite's cached contexts), each with
     * its own database, settings and registry, the first still running when the second starts: each
     * migration runs with its own application's settings, and each registry counts its own attempts only.
     */
    @ParameterizedTest
    @EnumSource(Tool.class)
    void twoApplicationsInOneJvmKeepTheirOwnSettingsAndMetrics(Tool tool, TestDatabase db) {
        TestDatabase other = PostgresServer.shared().createDatabase(db.name() + "_other");
        try {
            db.execute("create table orders (id bigint primary key)");
            other.execute("create table orders (id bigint primary key)");
            try (ConfigurableApplicationContext first = start(tool, db, "locksafe.lock-timeout=111ms\n", Map.of());
                 ConfigurableApplicationContext second = start(tool, other, "locksafe.lock-timeout=222ms\n",
                         Map.of())) {
                for (ConfigurableApplicationContext context : List.of(first, second)) {
                    assertThat(count(context.getBean(MeterRegistry.class), "locksafe.attempts", "success"))
                            .as("successful attempts counted by one application").isEqualTo(1);
                }
            }
            assertThat(lockTimeoutSeenByTheMigration(db)).isEqualTo("111ms");
            assertThat(lockTimeoutSeenByTheMigration(other)).isEqualTo("222ms");
        } finally {
            PostgresServer.shared().dropDatabase(other.name());
        }
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void enabledFalseTurnsLockSafeOff(Tool tool, TestDatabase db) {
        db.execute("create table orders (id bigint primary key)");
        try (ConfigurableApplicationContext context = start(tool, db, "locksafe.enabled=false\n", Map.of())) {
            assertThat(context.getBean(MeterRegistry.class).find("locksafe.attempts").counters()).isEmpty();
        }
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(lockTimeoutSeenByTheMigration(db)).isEqualTo("0");
    }

    /** Properties pointing the tool at one migration that drops {@code orders.note}. */
    private static String dropNoteMigration(Tool tool, Path dir) throws IOException {
        if (tool == Tool.FLYWAY) {
            Files.writeString(dir.resolve("V1__drop_note.sql"), "ALTER TABLE orders DROP COLUMN note;\n");
            return "spring.flyway.locations=filesystem:" + dir + "\n";
        }
        Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n--changeset dev:drop-note\n"
                + "ALTER TABLE orders DROP COLUMN note;\n");
        return "spring.liquibase.change-log=file:" + dir.resolve("changelog.sql") + "\n";
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void aMigrationFailingTheZddCheckStopsStartupWithAFailureAnalysisAndLockSafeCheckWarnLetsItThrough(Tool tool,
            TestDatabase db, CapturedOutput output, @TempDir Path dir) throws Exception {
        db.execute("create table orders (id bigint primary key, note text)");
        String properties = dropNoteMigration(tool, dir) + "locksafe.check=fail\n";
        assertThatThrownBy(() -> start(tool, db, properties, Map.of()).close());
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START",
                "makes backward-incompatible changes, so it was rolled back (locksafe.check=fail)",
                "B101 drop-column public.orders.note", "Recipe: release N stops reading and writing the column",
                "set locksafe.check=warn (LOCKSAFE_CHECK=warn)");
        assertThat(db.hasColumn("orders", "note")).isTrue();

        // the pipeline's escape hatch: the environment variable wins over application.properties
        try (ConfigurableApplicationContext context = start(tool, db, properties, Map.of("LOCKSAFE_CHECK", "warn"))) {
            assertThat(context.isActive()).isTrue();
            // and the application's own registry counted the finding
            assertThat(context.getBean(MeterRegistry.class).find("locksafe.zdd.findings").tag("rule", "B101")
                    .tag("severity", "error").tag("tool", tool.name().toLowerCase()).counter().count()).isEqualTo(1.0);
        }
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void outOfRangeValueFailsStartupWithAFailureAnalysisNamingTheProperty(Tool tool, TestDatabase db,
                                                                         CapturedOutput output) {
        db.execute("create table orders (id bigint primary key)");
        assertThatThrownBy(() -> start(tool, db, "locksafe.jitter=2\n", Map.of()).close());
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START",
                "Invalid LockSafe setting locksafe.jitter='2': expected a number between 0.0 and 1.0", // the value as written
                "Change locksafe.jitter (application.properties or .yml) or the LOCKSAFE_JITTER environment variable");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void unreadableValueFailsStartupWithBootsFailureAnalysisNamingTheProperty(TestDatabase db, CapturedOutput output) {
        db.execute("create table orders (id bigint primary key)");
        assertThatThrownBy(() -> start(Tool.FLYWAY, db, "locksafe.lock-timeout=soon\n", Map.of()).close());
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START", "locksafe.lock-timeout");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void applicationsOwnLiquibaseCustomizerStaysInChargeWhileLockSafeRetries(TestDatabase db, CapturedOutput output)
            throws Exception {
        db.execute("create table orders (id bigint primary key)");
        ApplicationWithLiquibaseCustomizer.CUSTOMIZED.set(0);
        try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "report-job")) {
            report.releaseWhen(() -> output.getOut().contains("attempt 1/10 failed"));
            try (ConfigurableApplicationContext context = start(ApplicationWithLiquibaseCustomizer.class, Tool.LIQUIBASE,
                    db, FAST, Map.of())) {
                assertThat(context.getBeansOfType(liquibase.integration.spring.Customizer.class)).hasSize(1);
            }
        }
        assertThat(ApplicationWithLiquibaseCustomizer.CUSTOMIZED).hasPositiveValue();
        assertThat(output.getOut()).contains("attempt 1/10 failed");
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    @Test
    void runsOnTheBootVersionThisModuleIsFor() {
        assertThat(SpringBootVersion.getVersion()).isEqualTo(System.getProperty("locksafe.test.boot.version"));
    }
}
