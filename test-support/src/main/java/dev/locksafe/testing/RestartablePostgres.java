package dev.locksafe.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * A private embedded PostgreSQL that a test may stop and start again, on the same port and data
 * directory, without disturbing the shared server the other tests use.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private final PostgresServer server;
    private EmbeddedPostgres postgres;

    private RestartablePostgres(Path dataDirectory, int port) throws IOException, SQLException {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.postgres = startPostgres();
        this.server = new PostgresServer("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "postgres",
                () -> postgres.close());
    }

    /** Starts a new server on a free loopback port. */
    public static RestartablePostgres start() {
        try {
            return new RestartablePostgres(Files.createTempDirectory("locksafe-restartable-pg"), LocalResources.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot start the restartable PostgreSQL: " + e.getMessage(), e);
        }
    }


    private EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("fsync", "off")
                .start();
    }

    /** Creates an empty database on this server. */
    public TestDatabase createDatabase(String name) {
        return server.createDatabase(name);
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: every session ends, open transactions roll back)
     * and starts it again on the same port with the same data.
     */
    public void restart() {
        try {
            postgres.close();
            postgres = startPostgres();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        LocalResources.deleteQuietly(dataDirectory);
    }
}
