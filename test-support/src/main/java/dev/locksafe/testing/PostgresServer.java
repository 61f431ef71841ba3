package dev.locksafe.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * One PostgreSQL server for the whole test JVM, chosen by system properties (see the package docs).
 * Started on first use, stopped when the JVM's test run ends.
 */
public final class PostgresServer implements AutoCloseable {

    /** The PostgreSQL major version asked for, default 17. */
    public static final String VERSION_PROPERTY = "locksafe.test.postgres.version";
    /** embedded | testcontainers | external. */
    public static final String MODE_PROPERTY = "locksafe.test.postgres";
    /** JDBC URL of an external server (implies external mode). */
    public static final String URL_PROPERTY = "locksafe.test.jdbcUrl";

    private static PostgresServer shared;

    private final String baseUrl;
    private final String user;
    private final String password;
    private final AutoCloseable resource;
    private final int majorVersion;

    PostgresServer(String baseUrl, String user, String password, AutoCloseable resource) throws SQLException {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
        this.resource = resource;
        try (Connection c = DriverManager.getConnection(urlFor("postgres"), props());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show server_version_num")) {
            rs.next();
            this.majorVersion = rs.getInt(1) / 10000;
        }
    }

    /** The shared server, started on first call. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start();
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "locksafe-test-postgres-stop"));
        }
        return shared;
    }

    private static PostgresServer start() {
        String requested = System.getProperty(VERSION_PROPERTY, "17");
        String url = System.getProperty(URL_PROPERTY);
        String mode = System.getProperty(MODE_PROPERTY, url != null ? "external" : "embedded").toLowerCase(Locale.ROOT);
        try {
            PostgresServer server;
            switch (mode) {
                case "external":
                    if (url == null) {
                        throw new IllegalStateException(MODE_PROPERTY + "=external needs " + URL_PROPERTY);
                    }
                    server = new PostgresServer(url, System.getProperty("locksafe.test.user", "postgres"),
                            System.getProperty("locksafe.test.password", ""), () -> { });
                    break;
                case "testcontainers":
                    server = Containers.start(requested);
                    break;
                case "embedded":
                    EmbeddedPostgres pg = EmbeddedPostgres.builder()
                            .setServerConfig("max_connections", "200")
                            .setServerConfig("fsync", "off")
                            .setServerConfig("synchronous_commit", "off")
                            .start();
                    server = new PostgresServer("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres",
                            "postgres", "postgres", pg);
                    break;
                default:
                    throw new IllegalStateException("Unknown " + MODE_PROPERTY + "='" + mode
                            + "': expected embedded, testcontainers or external");
            }
            if (!mode.equals("external") && !String.valueOf(server.majorVersion).equals(requested)) {
                server.close();
                throw new IllegalStateException("Asked for PostgreSQL " + requested + " but the server is "
                        + server.majorVersion + "; run Maven with -D" + VERSION_PROPERTY + "=" + requested
                        + " so that the matching profile selects the embedded binaries");
            }
            return server;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Cannot start the test PostgreSQL (" + mode + "): " + e.getMessage(), e);
        }
    }

    /** Testcontainers, kept in its own class so the embedded path never loads it. */
    private static final class Containers {
        static PostgresServer start(String version) throws SQLException {
            org.testcontainers.postgresql.PostgreSQLContainer c =
                    new org.testcontainers.postgresql.PostgreSQLContainer("postgres:" + version)
                            .withCommand("postgres", "-c", "max_connections=200", "-c", "fsync=off");
            c.start();
            return new PostgresServer(c.getJdbcUrl(), c.getUsername(), c.getPassword(), c::stop);
        }
    }

    /** The server's major version, for example 17. */
    public int majorVersion() {
        return majorVersion;
    }

    /** User and password for {@link DriverManager}. */
    Properties props() {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return p;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** The JDBC URL of {@code database} on this server, without credentials. */
    String urlFor(String database) {
        int q = baseUrl.indexOf('?');
        String head = q < 0 ? baseUrl : baseUrl.substring(0, q);
        String tail = q < 0 ? "" : baseUrl.substring(q);
        return head.substring(0, head.lastIndexOf('/') + 1) + database + tail;
    }

    /** Creates an empty database and returns it. */
    public TestDatabase createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(urlFor("postgres"), props());
             Statement st = c.createStatement()) {
            st.execute("create database " + name); // name is generated by the harness, never user input
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(this, name);
    }

    /** Ends every session of {@code name} and drops it. */
    public void dropDatabase(String name) {
        try (Connection c = DriverManager.getConnection(urlFor("postgres"), props());
             Statement st = c.createStatement()) {
            st.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name
                    + "' and pid <> pg_backend_pid()");
            st.execute("drop database if exists " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            // stopping a test server at JVM exit; nothing left to do
        }
    }
}
