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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 */
final class BlockerProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlockerProbe.class);

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
     * One daemon thread for the whole JVM, started on first use, runs every probe's polls. Adapters
     * create an engine per migration; a thread per engine cost more than the rest of LockSafe's
     * per-migration work together (measured in the overhead benchmark). Polls are short queries with
     * a 2 s timeout, so one thread serves many engines.
     */
    private static final class Scheduler {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "locksafe-blocker-probe");
            t.setDaemon(true);
            return t;
        });
    }

    private final ConnectionSource source;
    private Connection connection;
    private boolean unavailable;
    private boolean closed;

    BlockerProbe(ConnectionSource source) {
        this.source = source;
    }

    /** The blockers of one attempt, as last seen. */
    static final class Watch {
        private final ScheduledFuture<?> future;
        private volatile List<Blocker> blockers = List.of();
        private volatile String waitingStatement;

        private Watch(ScheduledFuture<?> future) {
            this.future = future;
        }

        static Watch none() {
            return new Watch(null);
        }

        /** Stops polling; returns the last blockers seen (empty if none). */
        List<Blocker> stop() {
            if (future != null) {
                future.cancel(false);
            }
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
        ScheduledFuture<?> f = Scheduler.INSTANCE.scheduleWithFixedDelay(() -> poll(pid, holder[0]),
                interval, interval, TimeUnit.MILLISECONDS);
        holder[0] = new Watch(f);
        return holder[0];
    }

    private synchronized void poll(int pid, Watch watch) {
        if (watch == null || unavailable || closed) {
            return;
        }
        boolean opening = false;
        try {
            if (connection == null || connection.isClosed()) {
                opening = true;
                connection = source.open();
                connection.setAutoCommit(true);
                opening = false;
            }
            List<Blocker> found = new ArrayList<>();
            String waiting = null;
            try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
                ps.setQueryTimeout(2);
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
            if (!found.isEmpty()) {
                watch.blockers = List.copyOf(found);
                watch.waitingStatement = Text.shortenSql(waiting);
            }
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            if (opening) {
                unavailable = true;
                LOG.warn("LockSafe: cannot look up blocking sessions ({}); attempts are reported without blockers",
                        Text.maskSecrets(String.valueOf(e.getMessage())));
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken probe connection; nothing to do
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }
}
