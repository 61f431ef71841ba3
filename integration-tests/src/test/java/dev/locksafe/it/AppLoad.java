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

    private AppLoad(TestDatabase db, String sql) {
        thread = new Thread(() -> {
            try (Connection c = db.connect("app-load")) {
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
        AppLoad load = new AppLoad(db, sql);
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
