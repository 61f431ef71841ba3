package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad settings given the way users give them, through Flyway's and Liquibase's own configuration: a
 * clear error naming the key, the value and what is accepted, before any migration runs, and nothing
 * changed in the database.
 */
@ExtendWith(PostgresExtension.class)
class BadInputTest {

    private static final String ADD_NOTE = "ALTER TABLE orders ADD COLUMN note text;";

    static Stream<Arguments> badValues() {
        return Stream.of(Migrator.values()).flatMap(tool -> Stream.of(
                Arguments.of(tool, "lockTimeout", "soon", "expected a duration such as 250ms"),
                Arguments.of(tool, "lockTimeout", "-5s", "expected a duration such as 250ms"),
                Arguments.of(tool, "lockTimeout", "0", "expected a duration between 1ms and 24h"),
                Arguments.of(tool, "maxBackoff", "999999h", "expected a duration between 1ms and 1h"),
                Arguments.of(tool, "maxAttempts", "99999999999", "expected a whole number"),
                Arguments.of(tool, "jitter", "2", "expected a number between 0.0 and 1.0"),
                Arguments.of(tool, "enabled", "yes", "expected true or false"),
                Arguments.of(tool, "lockTimeout", " ", "a value is required"),
                Arguments.of(tool, "lockTimeout", "1s'; DROP TABLE orders; --", "expected a duration"),
                Arguments.of(tool, "retrySqlStates", "55P03'); DROP TABLE orders; --",
                        "expected comma-separated five-character SQLSTATE codes")));
    }

    @ParameterizedTest(name = "{0} {1}=''{2}''")
    @MethodSource("badValues")
    void badValueFailsTheRunBeforeAnyMigrationWithTheKeyTheValueAndWhatIsAccepted(Migrator tool, String key,
                                                                                 String value, String accepted,
                                                                                 TestDatabase db) {
        db.execute("create table orders (id bigint primary key)");
        assertThatThrownBy(() -> tool.migrate(db, Map.of(key, value), ADD_NOTE))
                .hasStackTraceContaining("Invalid LockSafe setting")
                .hasStackTraceContaining(key + "='" + value + "'")
                .hasStackTraceContaining(accepted);
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'orders'")).isOne();
        assertThat(db.hasColumn("orders", "note")).isFalse();
        assertThat(tool.recorded(db, 1)).isZero();
    }

    @Test
    void misspeltFlywayKeyFailsTheRunInFlywayNamingTheKey(TestDatabase db) {
        db.execute("create table orders (id bigint primary key)");
        assertThatThrownBy(() -> Migrator.FLYWAY.migrate(db, Map.of("lockTimout", "1s"), ADD_NOTE))
                .hasStackTraceContaining("Unknown configuration property: flyway.locksafe.lockTimout");
        assertThat(db.hasColumn("orders", "note")).isFalse();
    }

    @Test
    void misspeltLiquibaseSystemPropertyIsWarnedAboutWithTheClosestKnownKey(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        JulCapture log = JulCapture.start();
        System.setProperty("liquibase.locksafe.lockTimout", "1s");
        try (log) {
            Migrator.LIQUIBASE.migrate(db, Map.of(), ADD_NOTE);
        } finally {
            System.clearProperty("liquibase.locksafe.lockTimout");
        }
        assertThat(log.messages()).contains("LockSafe: ignoring unknown setting liquibase.locksafe.lockTimout;"
                + " did you mean liquibase.locksafe.lockTimeout?");
        assertThat(db.hasColumn("orders", "note")).isTrue();
    }

    /**
     * A Flyway built in code, as frameworks build it, reads no {@code flyway.locksafe.*} system property:
     * LockSafe says the property is not applied and what runs instead, once, instead of ignoring it silently.
     * Given to the configuration, the same property is applied and nothing is said.
     */
    @Test
    void aFlywaySystemPropertyTheHostNeverReadsIsReportedOnce(TestDatabase db) throws Exception {
        db.execute("create table orders (id bigint primary key)");
        System.setProperty("flyway.locksafe.maxAttempts", "7");
        try (LogCapture log = LogCapture.of("dev.locksafe")) {
            Migrator.FLYWAY.migrate(db, Map.of("maxAttempts", "7"), ADD_NOTE); // read: nothing to say
            assertThat(log.messagesContaining("flyway.locksafe.maxAttempts")).isEmpty();
            Migrator.FLYWAY.migrate(db, Map.of(), ADD_NOTE, "CREATE TABLE audit (id int);");
            Migrator.FLYWAY.migrate(db, Map.of(), ADD_NOTE, "CREATE TABLE audit (id int);",
                    "CREATE TABLE b (id int);");
            assertThat(log.messagesContaining("flyway.locksafe.maxAttempts")).singleElement().asString()
                    .contains("system property flyway.locksafe.maxAttempts=7 is not applied",
                            "runs with maxAttempts=10 (the default)", "envVars()");
        } finally {
            System.clearProperty("flyway.locksafe.maxAttempts");
        }
    }
}
