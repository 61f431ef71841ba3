package dev.locksafe.internal;

import dev.locksafe.Blocker;
import dev.locksafe.ConnectionSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(BlockerProbe.class);

    /** The server cancels a lookup query after this long. */
    private static final int QUERY_TIMEOUT_SECONDS = 2;
    /**
     * Behind the query timeout: a lookup that has had no answer after this long (its cancel request
     * lost in a pooler's queue, say) drops its connection; the next poll opens a new one.
     */
    private static final int NETWORK_TIMEOUT_MILLIS = 3_000;

    private static final String QUERY = "select a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),"
            + " coalesce(a.state, ''),"
            + " coalesce((extract(epoch from clock_timestamp() - a.xact_start) * 1000)::bigint, 0),"
            + " coalesce(a.wait_event_type || ':' || a.wait_event, ''), coalesce(a.query, ''),"
            + " coalesce(w.query, '')"
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
    /** Guards the fields below; never held while a connection is opened, queried or closed. */
    private final Object state = new Object();
    private Connection connection;
    private boolean inFlight;
    private boolean unavailable;
    private boolean closed;

    BlockerProbe(ConnectionSource source) {
        this.source = source;
    }

    /** The blockers of one attempt, as last seen. */
    static final class Watch {
        private final ScheduledFuture<?> future;
        private volatile boolean stopped;
        private volatile List<Blocker> blockers = List.of();
        private volatile String waitingStatement;

        private Watch(ScheduledFuture<?> future) {
            this.future = future;
        }

        static Watch none() {
            return new Watch(null);
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
    }

    Watch watch(int pid, Duration lockTimeout) {
        long interval = lockTimeout == null ? 500 : Math.max(10, Math.min(500, lockTimeout.toMillis() / 4));
        Watch[] holder = new Watch[1];
        ScheduledFuture<?> f = Threads.TIMER.scheduleWithFixedDelay(() -> poll(pid, holder[0]),
                interval, interval, TimeUnit.MILLISECONDS);
        holder[0] = new Watch(f);
        RUNNING_WATCHES.incrementAndGet();
        return holder[0];
    }

    /** How many watches are polling now, in the whole JVM. */
    static int runningWatches() {
        return RUNNING_WATCHES.get();
    }

    /** On the timer: starts a lookup unless one is in flight; never does I/O itself. */
    private void poll(int pid, Watch watch) {
        if (watch == null || watch.stopped) {
            return;
        }
        synchronized (state) {
            if (unavailable || closed || inFlight) {
                return;
            }
            inFlight = true;
        }
        try {
            Threads.LOOKUPS.execute(() -> lookup(pid, watch));
        } catch (RejectedExecutionException e) {
            synchronized (state) {
                inFlight = false; // every lookup thread is busy: skip this poll
            }
        }
    }

    /** On a lookup thread. */
    private void lookup(int pid, Watch watch) {
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
            if (!watch.stopped && !isClosed()) {
                query(c, pid, watch);
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
                LOG.warn("LockSafe: cannot look up blocking sessions ({}); attempts are reported without blockers",
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
                }
            }
        }
        if (!found.isEmpty() && !watch.stopped) {
            watch.blockers = List.copyOf(found);
            watch.waitingStatement = Text.shortenSql(waiting);
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
