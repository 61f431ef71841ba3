package dev.locksafe.it;

import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An application session running short queries on a table in a loop, recording the slowest. */
final class AppLoad implements AutoCloseable {

    private final Thread thread;
    private final AtomicLong worstMillis = new AtomicLong();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile SQLException failure;

    /** Opens the application's connection. */
    @FunctionalInterface
    interface Connect {
        Connection open() throws SQLException;
    }

    private AppLoad(Connect connect, String sql) {
        thread = new Thread(() -> {
            try (Connection c = connect.open()) {
                while (!Thread.currentThread().isInterrupted()) {
                    long start = System.nanoTime();
                    Sql.string(c, sql);
                    worstMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                    queries.incrementAndGet();
                    Thread.sleep(5);
                }
            } catch (SQLException e) {
                failure = e;
            } catch (InterruptedException e) {
                // stopped
            }
        }, "app-load");
        thread.setDaemon(true);
    }

    /** Starts running {@code sql} in a loop. */
    static AppLoad start(TestDatabase db, String sql) {
        return start(() -> db.connect("app-load"), sql);
    }

    /** Starts running {@code sql} in a loop on a connection from {@code connect} (through a pooler, say). */
    static AppLoad start(Connect connect, String sql) {
        AppLoad load = new AppLoad(connect, sql);
        load.thread.start();
        return load;
    }

    /** The slowest query so far, in milliseconds. */
    long worstMillis() {
        return worstMillis.get();
    }

    int queries() {
        return queries.get();
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(30_000);
        if (failure != null) {
            throw new IllegalStateException("the application's queries failed", failure);
        }
    }
}
