package dev.locksafe.bench;

import dev.locksafe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The application: client threads running short queries on {@code orders} (point reads and small
 * updates, each its own transaction), every query's start and latency recorded.
 */
final class Workload implements AutoCloseable {

    /** One query: when it started (System.nanoTime), how long it took, and whether it failed. */
    record Sample(long startNanos, long latencyNanos, boolean failed) {
    }

    private final List<Thread> threads = new ArrayList<>();
    private final List<List<Sample>> perThread = new ArrayList<>();
    private volatile boolean running = true;

    Workload(TestDatabase db, int clients, int rows) {
        for (int i = 0; i < clients; i++) {
            List<Sample> samples = new ArrayList<>();
            perThread.add(samples);
            Thread t = new Thread(() -> loop(db, rows, samples), "app-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void loop(TestDatabase db, int rows, List<Sample> samples) {
        try (Connection c = db.connect("app");
             PreparedStatement read = c.prepareStatement("select status from orders where id = ?");
             PreparedStatement write = c.prepareStatement("update orders set qty = qty + 1 where id = ?")) {
            while (running) {
                long id = ThreadLocalRandom.current().nextLong(1, rows + 1);
                boolean isRead = ThreadLocalRandom.current().nextBoolean();
                long start = System.nanoTime();
                boolean failed = false;
                try {
                    if (isRead) {
                        read.setLong(1, id);
                        try (ResultSet rs = read.executeQuery()) {
                            rs.next();
                        }
                    } else {
                        write.setLong(1, id);
                        write.executeUpdate();
                    }
                } catch (SQLException e) {
                    failed = true;
                }
                synchronized (samples) {
                    samples.add(new Sample(start, System.nanoTime() - start, failed));
                }
                Thread.sleep(2);
            }
        } catch (SQLException | InterruptedException e) {
            // the run is over
        }
    }

    /** Stops the clients and returns every sample. */
    List<Sample> stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(30_000);
        }
        List<Sample> all = new ArrayList<>();
        for (List<Sample> s : perThread) {
            synchronized (s) {
                all.addAll(s);
            }
        }
        all.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }
}
