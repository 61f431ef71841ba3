package dev.locksafe.liquibase;

import dev.locksafe.ConnectionSource;
import dev.locksafe.Registration;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Second connections for looking up blocking sessions when Liquibase was handed open connections (from
 * an application's {@code DataSource}, as Spring does) rather than a URL. Registered per database URL
 * and user, as the JDBC driver reports them; the Spring Boot starter registers the data source of each
 * {@code SpringLiquibase}, the Quarkus extension each data source of the application.
 */
public final class ProbeConnections {

    private static final Map<String, ConnectionSource> BY_URL_AND_USER = new ConcurrentHashMap<>();
    /** Sources whose database is learnt when a run first looks for one. */
    private static final List<ConnectionSource> NOT_YET_OPENED = new CopyOnWriteArrayList<>();
    /** Sources being opened now, to learn their database. */
    private static final Map<ConnectionSource, CompletableFuture<Void>> LEARNING = new ConcurrentHashMap<>();
    /** How long a run waits for sources to open, at most, before it goes on without them. */
    static final Duration LEARNING_WAIT = Duration.ofSeconds(2);

    private ProbeConnections() {
    }

    /**
     * Registers {@code source} for the database its connections go to; opens (and closes) one connection
     * to learn the URL and user.
     */
    public static Registration register(ConnectionSource source) throws SQLException {
        Objects.requireNonNull(source, "source");
        String key;
        try (Connection c = source.open()) {
            key = key(c);
        }
        BY_URL_AND_USER.put(key, source);
        return () -> BY_URL_AND_USER.remove(key, source);
    }

    /**
     * Registers {@code source} without opening it now: its URL and user are learnt (one connection, opened
     * and closed) the first time a Liquibase run on a handed-over connection looks for a second one. For
     * a framework that wires LockSafe before its data sources can connect (Quarkus, at static init).
     */
    public static Registration registerOnFirstUse(ConnectionSource source) {
        Objects.requireNonNull(source, "source");
        NOT_YET_OPENED.add(source);
        return () -> {
            NOT_YET_OPENED.remove(source);
            BY_URL_AND_USER.values().removeIf(s -> s == source);
        };
    }

    /** The source registered for the database and user of {@code connection}, or {@code null}. */
    static ConnectionSource forConnection(Connection connection) {
        if (connection == null || (BY_URL_AND_USER.isEmpty() && NOT_YET_OPENED.isEmpty())) {
            return null;
        }
        try {
            String key = key(connection);
            ConnectionSource found = BY_URL_AND_USER.get(key);
            if (found == null && !NOT_YET_OPENED.isEmpty()) {
                learnNotYetOpened();
                found = BY_URL_AND_USER.get(key);
            }
            return found;
        } catch (SQLException e) {
            return null;
        }
    }

    /**
     * Opens each source registered on first use, to learn its database, on threads of their own: the
     * caller (a migration, perhaps holding locks) waits {@link #LEARNING_WAIT} at most, once per attempt
     * to open a source, and never for an attempt that another call started. A source that cannot be
     * opened (a pool with no free connection, a database that went away) stays registered and is tried
     * again when its attempt has ended; a source that opened is keyed for good.
     */
    private static void learnNotYetOpened() {
        List<CompletableFuture<Void>> startedHere = new ArrayList<>();
        for (ConnectionSource source : NOT_YET_OPENED) {
            CompletableFuture<Void> learning = new CompletableFuture<>();
            if (LEARNING.putIfAbsent(source, learning) != null) {
                continue; // another call is opening it; its answer lands in BY_URL_AND_USER
            }
            Thread opener = new Thread(() -> {
                try (Connection c = source.open()) {
                    String key = key(c);
                    if (NOT_YET_OPENED.remove(source)) { // still registered
                        BY_URL_AND_USER.put(key, source);
                    }
                } catch (SQLException | RuntimeException e) {
                    // not reachable now: the run reports no blockers, as without a source
                } finally {
                    LEARNING.remove(source);
                    learning.complete(null);
                }
            }, "locksafe-probe-source");
            opener.setDaemon(true);
            opener.start();
            startedHere.add(learning);
        }
        try {
            CompletableFuture.allOf(startedHere.toArray(CompletableFuture[]::new))
                    .get(LEARNING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // late or failed: this run goes on without it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String key(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        return meta.getURL() + '\u0000' + meta.getUserName();
    }
}
