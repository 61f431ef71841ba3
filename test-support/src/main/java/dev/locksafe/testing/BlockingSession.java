package dev.locksafe.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.awaitility.Awaitility;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real session that holds a table lock inside an open transaction until released: the report or
 * {@code idle in transaction} session that makes a migration wait. Its own connection, its own
 * {@code application_name}.
 */
public final class BlockingSession implements AutoCloseable {

    private static final Set<String> MODES = Set.of("ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE",
            "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE");

    private final TestDatabase db;
    private final Connection connection;
    private final int pid;
    private final String applicationName;

    private BlockingSession(TestDatabase db, Connection connection, int pid, String applicationName) {
        this.db = db;
        this.connection = connection;
        this.pid = pid;
        this.applicationName = applicationName;
    }

    /**
     * Opens a session that takes {@code lockMode} (for example {@code ACCESS SHARE}) on {@code table} in
     * a transaction it keeps open. Returns once the lock is granted.
     */
    public static BlockingSession hold(TestDatabase db, String table, String lockMode, String applicationName)
            throws SQLException {
        String mode = lockMode.toUpperCase(Locale.ROOT);
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("Unknown lock mode '" + lockMode + "': expected one of " + MODES);
        }
        Connection c = db.connect(applicationName);
        int pid = pid(c);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("lock table " + table + " in " + mode + " mode");
        }
        return new BlockingSession(db, c, pid, applicationName);
    }

    /**
     * Opens a session whose transaction has a snapshot but holds no lock on the migrated table: what makes
     * {@code CREATE INDEX CONCURRENTLY} wait.
     */
    public static BlockingSession openTransaction(TestDatabase db, String applicationName) throws SQLException {
        Connection c = db.connect(applicationName);
        int pid = pid(c);
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = c.createStatement()) {
            st.execute("select txid_current()");
        }
        return new BlockingSession(db, c, pid, applicationName);
    }

    private static int pid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The backend pid of this session. */
    public int pid() {
        return pid;
    }

    /** The session's {@code application_name}. */
    public String applicationName() {
        return applicationName;
    }

    /** Ends the transaction (rollback), which releases the lock. */
    public void release() throws SQLException {
        if (!connection.isClosed()) {
            connection.rollback();
        }
    }

    /** The pids of the sessions this one holds up right now. */
    public List<String> blockedSessions() {
        return DbWaits.sessionsBlockedBy(db, pid);
    }

    /** Waits (30 s at most) until this session holds another one up; returns the pids it holds up then. */
    public List<String> awaitBlockedSessions() {
        return Awaitility.await("a session held up by '" + applicationName + "'").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5)).until(this::blockedSessions, pids -> !pids.isEmpty());
    }

    /**
     * Releases the lock, on another thread, once a session has waited for it and stopped waiting (its
     * lock_timeout fired): a migration without LockSafe never gets there, so the future then times out.
     */
    public CompletableFuture<Void> releaseOnceAWaiterGaveUp() {
        return releaseOnceAWaiterGaveUp(Duration.ofSeconds(30));
    }

    /**
     * As {@link #releaseOnceAWaiterGaveUp()}, waiting {@code atMost} for it: longer for a waiter that starts
     * slowly (a Quarkus application is built before it migrates at start).
     */
    public CompletableFuture<Void> releaseOnceAWaiterGaveUp(Duration atMost) {
        AtomicBoolean waited = new AtomicBoolean();
        return releaseWhen(atMost, () -> {
            boolean blocking = !blockedSessions().isEmpty();
            waited.compareAndSet(false, blocking);
            return waited.get() && !blocking;
        });
    }

    /**
     * Holds the lock for {@code hold} from the moment another session first queues behind it (seen in
     * {@code pg_locks} through {@code pg_blocking_pids}), then releases it, on another thread. However
     * long the waiter took to start, it waits the same {@code hold}.
     */
    public CompletableFuture<Void> releaseAfterWaitedFor(Duration hold) {
        return CompletableFuture.runAsync(this::awaitBlockedSessions).thenRunAsync(this::releaseUnchecked,
                CompletableFuture.delayedExecutor(hold.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Releases the lock after {@code delay}, on another thread. */
    public CompletableFuture<Void> releaseAfter(Duration delay) {
        return CompletableFuture.runAsync(this::releaseUnchecked,
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Releases the lock, on another thread, as soon as {@code condition} holds (polled every 5 ms, for
     * 30 s at most): for example once the log shows a failed attempt. Join the future to see a timeout.
     */
    public CompletableFuture<Void> releaseWhen(Callable<Boolean> condition) {
        return releaseWhen(Duration.ofSeconds(30), condition);
    }

    private CompletableFuture<Void> releaseWhen(Duration atMost, Callable<Boolean> condition) {
        return CompletableFuture.runAsync(() -> {
            Awaitility.await("condition to release '" + applicationName + "'").atMost(atMost)
                    .pollInterval(Duration.ofMillis(5)).until(condition);
            releaseUnchecked();
        });
    }

    private void releaseUnchecked() {
        try {
            release();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
