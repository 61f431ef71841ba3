package dev.locksafe.quarkus.deployment;

import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import io.quarkus.test.QuarkusUnitTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;

/**
 * The database of one Quarkus test application. {@link QuarkusUnitTest} loads the test class twice (once
 * by JUnit, once inside the application), so its static fields are initialized twice: the first
 * initialization creates the database on the shared embedded server and leaves its URL in system
 * properties; the copy inside the application reads it from there and never starts a server of its own.
 */
final class AppDatabase {

    final String url;
    final String user;
    final String password;
    /** The harness's handle, for blockers; {@code null} in the application's copy of the test class. */
    final TestDatabase db;

    private AppDatabase(String url, String user, String password, TestDatabase db) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.db = db;
    }

    static AppDatabase of(Class<?> test) {
        String key = "locksafe.quarkus.test." + test.getName();
        if (System.getProperty(key + ".url") != null) {
            return new AppDatabase(System.getProperty(key + ".url"), System.getProperty(key + ".user"),
                    System.getProperty(key + ".password"), null);
        }
        String name = "locksafe_q" + ProcessHandle.current().pid() + "_" + test.getSimpleName().toLowerCase();
        TestDatabase db = PostgresServer.shared().createDatabase(name);
        System.setProperty(key + ".url", db.jdbcUrl());
        System.setProperty(key + ".user", db.user());
        System.setProperty(key + ".password", db.password());
        return new AppDatabase(db.jdbcUrl(), db.user(), db.password(), db);
    }

    /**
     * A Quarkus application on this database, with no dev services, whose root holds what {@code root}
     * adds (and the helpers the application's copy of the test class needs).
     */
    QuarkusUnitTest application(Consumer<JavaArchive> root) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> root.accept(jar.addClasses(AppDatabase.class, ContendedStart.class)))
                .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
                .overrideConfigKey("quarkus.datasource.devservices.enabled", "false")
                .overrideConfigKey("quarkus.datasource.jdbc.url", url)
                .overrideConfigKey("quarkus.datasource.username", user)
                .overrideConfigKey("quarkus.datasource.password", password);
    }

    /**
     * An application whose Flyway migrates at start to {@code V1__drop_note.sql}, which drops
     * {@code accounts.note}, a column of a table release N (created before the start) has: the ZDD check's
     * B101.
     */
    QuarkusUnitTest droppingAProductionColumnAtStart() {
        return application(jar -> jar.addAsResource(new StringAsset("ALTER TABLE accounts DROP COLUMN note;\n"),
                "db/migration/V1__drop_note.sql"))
                .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
                .overrideConfigKey("quarkus.flyway.baseline-on-migrate", "true")
                .overrideConfigKey("quarkus.flyway.baseline-version", "0")
                .setBeforeAllCustomizer(() -> db.execute("CREATE TABLE accounts (id int PRIMARY KEY, note text)"));
    }

    /** The number the query counts, on a connection of {@code dataSource}. */
    static long count(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The log records as lines, parameters filled in. */
    static List<String> lines(List<LogRecord> records) {
        return records.stream()
                .map(r -> r instanceof ExtLogRecord ? ((ExtLogRecord) r).getFormattedMessage() : r.getMessage())
                .collect(Collectors.toList());
    }
}
