package dev.locksafe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real PgBouncer (Debian package {@code pgbouncer}) in front of the test server, on a free loopback
 * port, started and stopped by the test. Found at {@code -Dlocksafe.test.pgbouncer=/path}, else on the
 * PATH or in {@code /usr/sbin}.
 */
public final class PgBouncer implements AutoCloseable {

    /** Where the pgbouncer binary is, when it is not on the PATH or in /usr/sbin. */
    public static final String BINARY_PROPERTY = "locksafe.test.pgbouncer";

    private final Process process;
    private final Path dir;
    private final int port;

    private PgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The pgbouncer binary, if this machine has one. */
    public static Optional<Path> binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null) {
            return Optional.of(Paths.get(configured)).filter(Files::isExecutable);
        }
        Stream<String> path = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator));
        return Stream.concat(path, Stream.of("/usr/sbin", "/usr/local/sbin"))
                .map(d -> Paths.get(d, "pgbouncer")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts PgBouncer in front of {@code db}'s server.
     *
     * @param poolMode     {@code transaction} or {@code session}
     * @param poolSize     server connections per database and user
     * @param roundRobin   hand out the server connection idle longest (else the one used last)
     */
    public static PgBouncer start(TestDatabase db, String poolMode, int poolSize, boolean roundRobin) {
        return start(db, poolMode, poolSize, roundRobin, Map.of());
    }

    /**
     * As {@link #start(TestDatabase, String, int, boolean)}, with more {@code [pgbouncer]} settings
     * ({@code query_wait_timeout}, say).
     */
    public static PgBouncer start(TestDatabase db, String poolMode, int poolSize, boolean roundRobin,
                                  Map<String, String> settings) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "pgbouncer not found: install the Debian package pgbouncer or set -D" + BINARY_PROPERTY));
        try {
            int port = LocalResources.freePort();
            int serverPort = Integer.parseInt(db.jdbcUrl().replaceFirst("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
            Path dir = Files.createTempDirectory("locksafe-pgbouncer",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            boolean root = "root".equals(System.getProperty("user.name"));
            String ini = "[databases]\n"
                    + "* = host=127.0.0.1 port=" + serverPort + " user=" + db.user() + " password=" + db.password() + "\n"
                    + "[pgbouncer]\n"
                    + "listen_addr = 127.0.0.1\n"
                    + "listen_port = " + port + "\n"
                    + "unix_socket_dir =\n"
                    + "auth_type = trust\n"
                    + "auth_file = " + dir.resolve("users.txt") + "\n"
                    + "pool_mode = " + poolMode + "\n"
                    + "default_pool_size = " + poolSize + "\n"
                    + "max_client_conn = 200\n"
                    + "server_round_robin = " + (roundRobin ? 1 : 0) + "\n"
                    + "ignore_startup_parameters = extra_float_digits,options\n"
                    + (root ? "user = nobody\n" : ""); // pgbouncer refuses to run as root
            StringBuilder more = new StringBuilder();
            settings.forEach((key, value) -> more.append(key).append(" = ").append(value).append('\n'));
            ini += more;
            Files.writeString(dir.resolve("users.txt"), "\"" + db.user() + "\" \"\"\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("pgbouncer.ini"), ini, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(binary.toString(), dir.resolve("pgbouncer.ini").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("pgbouncer.log").toFile()).start();
            PgBouncer bouncer = new PgBouncer(p, dir, port);
            Awaitility.await("pgbouncer listening on " + port).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("pgbouncer exited: " + bouncer.log());
                        }
                        return bouncer.listening();
                    });
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The JDBC URL of {@code db} through PgBouncer. {@code prepareThreshold=0}: PgBouncer 1.18 in
     * transaction mode cannot keep server-side prepared statements, so pgjdbc must not create them.
     */
    public String jdbcUrl(TestDatabase db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db.name() + "?prepareThreshold=0";
    }

    /** What PgBouncer printed. */
    public String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "PgBouncer on 127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LocalResources.deleteQuietly(dir);
    }

}
