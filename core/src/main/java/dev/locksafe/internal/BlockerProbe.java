package dev.locksafe.internal;

import dev.locksafe.AttemptEvent.HeldLock;
import dev.locksafe.Blocker;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LogSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Looks up who blocks a migration statement while it waits.
 *
 * <p>Why a second connection and why during the wait: {@code pg_blocking_pids(pid)} only reports
 * blockers while {@code pid} waits for a lock; once {@code lock_timeout} fires the wait is over and the
 * answer is empty, and during the wait the migrating connection is busy. So each attempt starts a
 * watch that polls, from a second connection, every quarter of the lock timeout (10ms to 500ms) and
 * keeps the last non-empty answer. The first poll comes after one interval, so a migration that does
 * not wait costs no query at all.
 *
 * <p>When the ZDD check times lock holds (rule L209), the same polls also read which write-blocking locks
 * the watched session holds, and when each was first seen.
 *
 * <p>After a failed attempt, {@link #whenEnded} tells from the same connection when the blocking
 * transactions seen have ended, so that the engine starts the next attempt then instead of sleeping
 * its whole backoff.
 *
 * <p>The lookup may fail or come late; the migration never waits for it. The second connection can
 * be slow to open or to answer (a pool with no free connection, PgBouncer queueing the lookup behind
 * the very application queries that wait for the migration), so:
 * <ul>
 *   <li>no lock is held while a connection is opened or queried, and {@link Watch#stop()} and
 *       {@link #close()} return at once: a lookup in flight is abandoned, and aborted on close;</li>
 *   <li>a probe has at most one lookup in flight; a poll that comes while one is still running is
 *       skipped;</li>
 *   <li>lookups run on a small shared pool of daemon threads, not on the timer, so one probe's stuck
 *       lookup never delays another probe's; each query is bounded by a query timeout and, behind it, a
 *       network timeout that drops the connection.</li>
 * </ul>
 */
final class BlockerProbe implements AutoCloseable {

    /** The server cancels a lookup query after this long. */
    private static final int QUERY_TIMEOUT_SECONDS = 2;
    /**
     * Behind the query timeout: a lookup that has had no answer after this long (its cancel request
     * lost in a pooler's queue, say) drops its connection; the next poll opens a new one.
     */
    private static final int NETWORK_TIMEOUT_MILLIS = 3_000;

    /**
     * What tells one blocking transaction from a later one of the same session (or of a new session that
     * got the same pid): the backend's and the transaction's start, in microseconds. The same expressions
     * are compared in {@link #ENDED}, so a server that computes them in floating point still compares
     * equal values. Null (another user's session, without {@code pg_read_all_stats}) means unknown.
     */
    private static final String IDENTITY_COLUMNS = "(extract(epoch from a.backend_start) * 1000000)::bigint,"
            + " (extract(epoch from a.xact_start) * 1000000)::bigint";

    /** How many of the given blocking transactions are still open: one query for all of them. */
    private static final String ENDED = "select count(*) from pg_stat_activity a"
            + " join unnest(?::int[], ?::bigint[], ?::bigint[]) as b(pid, backend_start, xact_start)"
            + " on a.pid = b.pid"
            + " and (extract(epoch from a.backend_start) * 1000000)::bigint = b.backend_start"
            + " and (extract(epoch from a.xact_start) * 1000000)::bigint = b.xact_start";

    /**
     * The watched session's granted locks that block writes (SHARE and stronger) on relations of this
     * database: what the ZDD check's rule L209 times.
     */
    private static final String HELD = "select l.relation::bigint, l.mode from pg_locks l"
            + " where l.pid = ? and l.granted and l.locktype = 'relation'"
            + " and l.database = (select oid from pg_database where datname = current_database())"
            + " and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')";

    /** The lock modes that block writes, weakest first. */
    private static final List<String> WRITE_BLOCKING = List.of("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
            "AccessExclusiveLock");

    /** How often {@link #whenEnded} asks whether the blockers are gone. */
    private static final long ENDED_POLL_MILLIS = 25;

    private static final String QUERY = "select a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),"
            + " coalesce(a.state, ''),"
            + " coalesce((extract(epoch from clock_timestamp() - a.xact_start) * 1000)::bigint, 0),"
            + " coalesce(a.wait_event_type || ':' || a.wait_event, ''), coalesce(a.query, ''),"
            + " coalesce(w.query, ''),"
            + " " + IDENTITY_COLUMNS
            + " from pg_stat_activity w"
            + " cross join lateral unnest(pg_blocking_pids(w.pid)) as b(pid)"
            + " join pg_stat_activity a on a.pid = b.pid"
            + " where w.pid = ? order by a.xact_start nulls last, a.pid";

    /**
     * The JVM-wide threads. Adapters create an engine per migration; a thread per engine cost more than
     * the rest of LockSafe's per-migration work together (measured in the overhead benchmark). The timer
     * only hands polls over; lookups run on a pool that grows with the probes that have one in flight
     * (one each at most), up to {@link #MAX_LOOKUPS}, and shrinks when idle.
     */
    private static final class Threads {
        static final int MAX_LOOKUPS = 32;
        static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
                daemon("locksafe-blocker-probe"));
        static final ThreadPoolExecutor LOOKUPS = new ThreadPoolExecutor(0, MAX_LOOKUPS, 10, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemon("locksafe-blocker-lookup-"));

        private static ThreadFactory daemon(String name) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name.endsWith("-") ? name + n.incrementAndGet() : name);
                t.setDaemon(true);
                return t;
            };
        }
    }

    /** Watches started and not yet stopped, JVM-wide: what a test asks to prove that none is left running. */
    private static final AtomicInteger RUNNING_WATCHES = new AtomicInteger();

    private final ConnectionSource source;
    private final LogSink log;
    /** Guards the fields below; never held while a connection is opened, queried or closed. */
    private final Object state = new Object();
    private Connection connection;
    private boolean inFlight;
    private boolean unavailable;
    private boolean closed;

    BlockerProbe(ConnectionSource source, LogSink log) {
        this.source = source;
        this.log = log;
    }

    /** The blockers of one attempt, as last seen, and the write-blocking locks it was seen holding. */
    static final class Watch {
        private final ScheduledFuture<?> future;
        /** Per relation OID, when a look first saw the lock and the strongest mode; null: not looked for. */
        private final Map<Long, Held> held;
        private volatile boolean stopped;
        private volatile List<Blocker> blockers = List.of();
        private volatile List<Transaction> transactions = List.of();
        private volatile String waitingStatement;

        private Watch(ScheduledFuture<?> future, boolean watchHolds) {
            this.future = future;
            this.held = watchHolds ? new ConcurrentHashMap<>() : null;
        }

        static Watch none() {
            return new Watch(null, false);
        }

        /**
         * The write-blocking locks seen so far, each held at least from the look that first saw it until
         * {@code end}; empty when holds were not looked for. Call after {@link #stop()}.
         */
        List<HeldLock> heldUntil(Instant end) {
            if (held == null) {
                return List.of();
            }
            List<HeldLock> locks = new ArrayList<>();
            held.forEach((relation, h) -> {
                Duration heldFor = Duration.between(h.since(), end);
                locks.add(new HeldLock(relation, h.mode(), h.since(),
                        heldFor.isNegative() ? Duration.ZERO : heldFor));
            });
            locks.sort(Comparator.comparingLong(HeldLock::relation));
            return List.copyOf(locks);
        }

        /** Stops polling, without waiting for a lookup in flight; returns the last blockers seen (empty if none). */
        List<Blocker> stop() {
            if (future != null && !stopped) {
                future.cancel(false);
                RUNNING_WATCHES.decrementAndGet();
            }
            stopped = true;
            return blockers;
        }

        /** The waiting statement as the server showed it, or {@code null}. */
        String waitingStatement() {
            return waitingStatement;
        }

        /**
         * The blocking transactions last seen, each identified well enough to tell when it has ended; empty
         * when none was seen or when any of them could not be identified (its details not visible to this user).
         */
        List<Transaction> transactions() {
            return transactions;
        }
    }

    /** A write-blocking lock as first seen: when, and the strongest mode seen since. */
    private record Held(Instant since, String mode) {
    }

    /** One blocking transaction: its session's pid and start, and its own start (epoch microseconds). */
    record Transaction(int pid, long backendStart, long transactionStart) {
    }

    Watch watch(int pid, Duration lockTimeout) {
        return watch(pid, lockTimeout, null);
    }

    /**
     * Watches {@code pid}'s blockers and, when {@code holdResolution} is given, the write-blocking locks it
     * holds, looking at least that often.
     */
    Watch watch(int pid, Duration lockTimeout, Duration holdResolution) {
        long interval = quarterOf(lockTimeout);
        if (holdResolution != null) {
            interval = Math.min(interval, Math.max(10, Math.min(500, holdResolution.toMillis())));
        }
        Watch[] holder = new Watch[1];
        ScheduledFuture<?> f = Threads.TIMER.scheduleWithFixedDelay(() -> poll(pid, holder[0]),
                interval, interval, TimeUnit.MILLISECONDS);
        holder[0] = new Watch(f, holdResolution != null);
        RUNNING_WATCHES.incrementAndGet();
        return holder[0];
    }

    /** A quarter of {@code timeout}, between 10 and 500 ms; 500 ms without one. */
    private static long quarterOf(Duration timeout) {
        return timeout == null ? 500 : Math.max(10, Math.min(500, timeout.toMillis() / 4));
    }

    /** How many watches are polling now, in the whole JVM. */
    static int runningWatches() {
        return RUNNING_WATCHES.get();
    }

    /** On the timer: asks for the watched session's blockers. */
    private void poll(int pid, Watch watch) {
        if (watch == null || watch.stopped) {
            return;
        }
        ask(c -> {
            if (!watch.stopped) {
                query(c, pid, watch);
            }
            if (watch.held != null && !watch.stopped) {
                held(c, pid, watch);
            }
        });
    }

    /**
     * Starts {@code question} on a lookup thread unless one is in flight (then this turn is skipped); never
     * does I/O itself. Returns {@code false} when the probe cannot ask at all: closed, or no connection.
     */
    private boolean ask(Question question) {
        synchronized (state) {
            if (unavailable || closed) {
                return false;
            }
            if (inFlight) {
                return true;
            }
            inFlight = true;
        }
        try {
            Threads.LOOKUPS.execute(() -> lookup(question));
        } catch (RejectedExecutionException e) {
            synchronized (state) {
                inFlight = false; // every lookup thread is busy: skip this turn
            }
        }
        return true;
    }

    /** A question for the server, asked on the probe connection. */
    private interface Question {
        void ask(Connection c) throws SQLException;
    }

    /** On a lookup thread, with {@code inFlight} set by the caller: opens the connection if need be, asks. */
    private void lookup(Question question) {
        Connection c;
        synchronized (state) {
            c = connection;
        }
        boolean opening = c == null;
        try {
            if (opening) {
                c = open();
                synchronized (state) {
                    if (!closed) {
                        connection = c;
                    }
                }
                opening = false;
            }
            if (!isClosed()) {
                question.ask(c);
            }
        } catch (SQLException | RuntimeException e) {
            synchronized (state) {
                if (connection == c) {
                    connection = null;
                }
                if (opening) {
                    unavailable = true;
                }
            }
            abort(c);
            c = null;
            if (opening) {
                log.warn("LockSafe: cannot look up blocking sessions ({}); attempts are reported without blockers",
                        Text.maskSecrets(String.valueOf(e.getMessage())));
            }
        } finally {
            Connection orphan = null;
            synchronized (state) {
                inFlight = false;
                if (closed) {
                    orphan = connection != null ? connection : c;
                    connection = null;
                }
            }
            closeQuietly(orphan);
        }
    }

    private boolean isClosed() {
        synchronized (state) {
            return closed;
        }
    }

    private Connection open() throws SQLException {
        Connection c = source.open();
        try {
            c.setAutoCommit(true);
            try {
                c.setNetworkTimeout(Threads.LOOKUPS, NETWORK_TIMEOUT_MILLIS);
            } catch (SQLException | UnsupportedOperationException notSupported) {
                // a driver or pool without network timeouts: the query timeout still bounds the lookup
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            abort(c);
            throw e;
        }
    }

    private static void query(Connection c, int pid, Watch watch) throws SQLException {
        List<Blocker> found = new ArrayList<>();
        List<Transaction> transactions = new ArrayList<>();
        boolean allIdentified = true;
        String waiting = null;
        try (PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Blocker(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Duration.ofMillis(Math.max(0, rs.getLong(5))), rs.getString(6),
                            Text.shortenSql(rs.getString(7))));
                    waiting = rs.getString(8);
                    long backendStart = rs.getLong(9);
                    boolean identified = !rs.wasNull();
                    long transactionStart = rs.getLong(10);
                    identified &= !rs.wasNull();
                    if (identified) {
                        transactions.add(new Transaction(rs.getInt(1), backendStart, transactionStart));
                    }
                    allIdentified &= identified;
                }
            }
        }
        if (!found.isEmpty() && !watch.stopped) {
            watch.blockers = List.copyOf(found);
            watch.transactions = allIdentified ? List.copyOf(transactions) : List.of();
            watch.waitingStatement = Text.shortenSql(waiting);
        }
    }

    private static void held(Connection c, int pid, Watch watch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HELD)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                Instant seen = Instant.now(); // held by now: a hold measured from here is never too long
                while (rs.next()) {
                    String mode = rs.getString(2);
                    watch.held.merge(rs.getLong(1), new Held(seen, mode), (was, now) -> new Held(was.since(),
                            WRITE_BLOCKING.indexOf(now.mode()) > WRITE_BLOCKING.indexOf(was.mode()) ? now.mode() : was.mode()));
                }
            }
        }
    }

    /**
     * Completes normally once every one of {@code transactions} has ended (its session is gone, or it runs
     * another transaction now), asking the server every {@value #ENDED_POLL_MILLIS} ms from the probe
     * connection, one lookup in flight at most, like the watches. Completes exceptionally when the probe
     * cannot ask (closed, no connection). Never completes on its own otherwise: the caller bounds the wait
     * and cancels the future, which stops the polling.
     */
    CompletableFuture<Void> whenEnded(List<Transaction> transactions) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        if (transactions.isEmpty()) {
            ended.complete(null);
            return ended;
        }
        ScheduledFuture<?> polling = Threads.TIMER.scheduleWithFixedDelay(() -> {
            if (ended.isDone()) {
                return;
            }
            boolean asked = ask(c -> {
                if (!ended.isDone() && stillOpen(c, transactions) == 0) {
                    ended.complete(null);
                }
            });
            if (!asked) {
                ended.completeExceptionally(new IllegalStateException("LockSafe: the blocker probe cannot ask the server"));
            }
        }, ENDED_POLL_MILLIS, ENDED_POLL_MILLIS, TimeUnit.MILLISECONDS);
        ended.whenComplete((done, failure) -> polling.cancel(false));
        return ended;
    }

    private static int stillOpen(Connection c, List<Transaction> transactions) throws SQLException {
        Object[] pids = new Object[transactions.size()];
        Object[] backendStarts = new Object[transactions.size()];
        Object[] transactionStarts = new Object[transactions.size()];
        for (int i = 0; i < transactions.size(); i++) {
            Transaction t = transactions.get(i);
            pids[i] = t.pid();
            backendStarts[i] = t.backendStart();
            transactionStarts[i] = t.transactionStart();
        }
        try (PreparedStatement ps = c.prepareStatement(ENDED)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setArray(1, c.createArrayOf("int4", pids));
            ps.setArray(2, c.createArrayOf("int8", backendStarts));
            ps.setArray(3, c.createArrayOf("int8", transactionStarts));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Returns at once. An idle connection is closed on a lookup thread; a lookup in flight is aborted
     * (its socket closed), and its thread closes what is left when it ends.
     */
    @Override
    public void close() {
        Connection idle = null;
        Connection busy = null;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            if (inFlight) {
                busy = connection;
            } else {
                idle = connection;
                connection = null;
            }
        }
        if (busy != null) {
            abort(busy);
        }
        if (idle != null) {
            Connection toClose = idle;
            try {
                Threads.LOOKUPS.execute(() -> closeQuietly(toClose));
            } catch (RejectedExecutionException e) {
                abort(toClose);
            }
        }
    }

    /** Closes the connection's socket without a round trip to the server; never blocks. */
    private static void abort(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.abort(Threads.LOOKUPS);
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            // nothing more can be done for a connection that cannot even be aborted
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // closing a probe connection that is already broken; nothing to do
        }
    }
}
