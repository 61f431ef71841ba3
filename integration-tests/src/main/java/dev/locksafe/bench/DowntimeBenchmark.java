package dev.locksafe.bench;

import dev.locksafe.testing.BlockingSession;
import dev.locksafe.testing.LogCapture;
import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downtime benchmark: what a migration waiting for a lock costs an application, with and without
 * LockSafe, for Flyway and Liquibase, side by side in one process on an embedded PostgreSQL.
 *
 * <p>Scenario: {@code orders} with {@code bench.rows} rows; {@code bench.clients} application threads
 * running point reads and small updates (each its own transaction); a report session holds ACCESS
 * SHARE on the table for {@code bench.blockSeconds}; meanwhile {@code ALTER TABLE orders ADD COLUMN}
 * runs through the tool. Four runs: plain Flyway, Flyway + LockSafe, plain Liquibase, Liquibase +
 * LockSafe, with LockSafe's defaults except {@code lockTimeout=200ms} (override any setting with
 * {@code -Dbench.locksafe.<key>=...}).
 *
 * <p>Short form (the README's demo): {@code mvn -B -q -Pdemo -DskipTests verify}. Full form:
 * add {@code -Dbench.full=true} (5 s blocker, and the overhead benchmark). Results go to
 * {@code integration-tests/target/benchmark/}: downtime.json, downtime.svg, overhead.json.
 */
public final class DowntimeBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger("bench");
    private static final Pattern FAILED_ATTEMPT = Pattern.compile("LockSafe: .* attempt \\d+/\\d+ failed");

    private DowntimeBenchmark() {
    }

    /**
     * One run's measurements. Times in nanoseconds are {@link System#nanoTime()}: the migration's start, when
     * its lock request was first seen queued behind the blocker (the blocker's clock starts there), and when
     * the blocker ended.
     */
    record Run(Tool tool, boolean lockSafe, int repetition, long maxLatencyMs, double p99LatencyMs, int errors,
               int queriesInWindow, long migrationMs, int attempts, long blockerEndToDoneMs,
               List<Workload.Sample> samples, long migrationStartNanos, long queuedNanos, long releasedNanos) {

        String name() {
            return tool.label + (lockSafe ? " + LockSafe" : " (plain)");
        }
    }

    public static void main(String[] args) throws Exception {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        boolean full = Boolean.getBoolean("bench.full");
        long blockMs = Long.getLong("bench.blockSeconds", full ? 5 : 3) * 1000;
        int repetitions = Integer.getInteger("bench.repeat", 1);
        int rows = Integer.getInteger("bench.rows", 100_000);
        int clients = Integer.getInteger("bench.clients", 4);
        Map<String, String> settings = lockSafeSettings();
        Path out = Paths.get(System.getProperty("bench.out", "target/benchmark"));
        Files.createDirectories(out);

        LOG.info("Starting an embedded PostgreSQL ...");
        PostgresServer server = PostgresServer.shared();
        try {
            LOG.info("PostgreSQL {}; {} rows, {} application clients, blocker holds ACCESS SHARE for {} ms;"
                    + " LockSafe settings {}", server.majorVersion(), rows, clients, blockMs, settings);
            if (!"false".equals(System.getProperty("bench.downtime"))) {
                List<Run> runs = new ArrayList<>();
                for (int repetition = 1; repetition <= repetitions; repetition++) {
                    for (Tool tool : Tool.values()) {
                        for (boolean lockSafe : new boolean[] {false, true}) {
                            runs.add(run(server, tool, lockSafe, repetition, rows, clients, blockMs, settings));
                        }
                    }
                }
                printTable(runs, blockMs, settings);
                Files.writeString(out.resolve("downtime.json"), json(runs, blockMs, rows, clients, settings,
                        server.majorVersion()), StandardCharsets.UTF_8);
                Files.writeString(out.resolve("downtime.svg"),
                        Chart.svg(runs.stream().filter(r -> r.repetition() == 1).toList(), blockMs, settings),
                        StandardCharsets.UTF_8);
                LOG.info("Wrote {} and {}", out.resolve("downtime.json").toAbsolutePath(),
                        out.resolve("downtime.svg").toAbsolutePath());
                if (Boolean.getBoolean("bench.assert")) {
                    assertLockSafeHelps(runs);
                }
            }
            if (full || Boolean.getBoolean("bench.overhead")) {
                OverheadBenchmark.run(server, out, Integer.getInteger("bench.overhead.repetitions", 5),
                        Integer.getInteger("bench.overhead.migrations", 200), settings);
            }
            if (full || Boolean.getBoolean("bench.snapshot")) {
                SnapshotBenchmark.run(server, out, Integer.getInteger("bench.snapshot.tables", 500),
                        Integer.getInteger("bench.snapshot.columns", 20), Integer.getInteger("bench.snapshot.repetitions", 7));
            }
        } finally {
            server.close();
        }
    }

    private static Map<String, String> lockSafeSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("lockTimeout", "200ms");
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.locksafe."))
                .forEach(k -> settings.put(k.substring("bench.locksafe.".length()), System.getProperty(k)));
        return settings;
    }

    private static Run run(PostgresServer server, Tool tool, boolean lockSafe, int repetition, int rows, int clients,
                           long blockMs, Map<String, String> settings) throws Exception {
        String name = "bench_" + tool.name().toLowerCase(Locale.ROOT) + (lockSafe ? "_locksafe" : "_plain");
        TestDatabase db = server.createDatabase(name);
        try {
            db.execute("create table orders (id bigint primary key, status text, qty int not null default 0)",
                    "insert into orders (id, status) select g, 'new' from generate_series(1, " + rows + ") g",
                    "vacuum analyze orders");
            LOG.info("---- {}{}{} ----", tool.label, lockSafe ? " + LockSafe" : " (plain)",
                    repetition > 1 ? " #" + repetition : "");
            List<Workload.Sample> samples;
            long migStart;
            long migEnd;
            long[] queuedAt = new long[1];
            long[] releasedAt = new long[1];
            int failedAttempts;
            try (LogCapture log = LogCapture.of("dev.locksafe"); LogCapture lbLog = LogCapture.of("liquibase");
                 Workload app = new Workload(db, clients, rows)) {
                app.start();
                Thread.sleep(500); // warm-up: connections open, plans cached
                try (BlockingSession report = BlockingSession.hold(db, "orders", "ACCESS SHARE", "monthly-report")) {
                    // the blocker's B seconds start when the migration's lock request is seen queued behind it in
                    // pg_locks, so every run suffers the same blocker however long its tool takes to start
                    CompletableFuture<Void> released = CompletableFuture
                            .runAsync(() -> {
                                report.awaitBlockedSessions();
                                queuedAt[0] = System.nanoTime();
                            })
                            .thenRunAsync(() -> {
                                release(report);
                                releasedAt[0] = System.nanoTime();
                            }, CompletableFuture.delayedExecutor(blockMs, TimeUnit.MILLISECONDS));
                    migStart = System.nanoTime();
                    tool.migrate(db, List.of("ALTER TABLE orders ADD COLUMN note text"), lockSafe, settings);
                    migEnd = System.nanoTime();
                    released.get(60, TimeUnit.SECONDS);
                }
                Thread.sleep(500);
                samples = app.stop();
                failedAttempts = (int) concat(log.messages(), lbLog.messages()).stream()
                        .filter(m -> FAILED_ATTEMPT.matcher(m).find()).count();
            }
            Run r = measure(tool, lockSafe, repetition, samples, migStart, migEnd, queuedAt[0], releasedAt[0],
                    failedAttempts + 1);
            LOG.info("{}: migration {} ms in {} attempt(s), done {} ms after the blocker ended; application: {} queries"
                            + " during the migration, slowest {} ms, p99 {} ms, {} errors", r.name(), r.migrationMs(),
                    r.attempts(), r.blockerEndToDoneMs(), r.queriesInWindow(), r.maxLatencyMs(),
                    String.format(Locale.ROOT, "%.1f", r.p99LatencyMs()), r.errors());
            return r;
        } finally {
            server.dropDatabase(name);
        }
    }

    private static void release(BlockingSession report) {
        try {
            report.release();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For CI: no absolute timings, only that LockSafe kept the application faster than the plain tool did. */
    private static void assertLockSafeHelps(List<Run> runs) {
        for (Tool tool : Tool.values()) {
            Run plain = runs.stream().filter(r -> r.tool() == tool && !r.lockSafe()).findFirst().orElseThrow();
            Run safe = runs.stream().filter(r -> r.tool() == tool && r.lockSafe()).findFirst().orElseThrow();
            if (safe.maxLatencyMs() >= plain.maxLatencyMs() || safe.errors() > 0) {
                throw new IllegalStateException(tool.label + ": LockSafe's slowest application query ("
                        + safe.maxLatencyMs() + " ms, " + safe.errors() + " errors) is not below the plain run's ("
                        + plain.maxLatencyMs() + " ms)");
            }
        }
        LOG.info("bench.assert: LockSafe's slowest application query is below the plain tool's for every tool");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static Run measure(Tool tool, boolean lockSafe, int repetition, List<Workload.Sample> samples, long migStart,
                       long migEnd, long queuedAt, long releasedAt, int attempts) {
        List<Long> latencies = new ArrayList<>();
        int inWindow = 0;
        int errors = 0;
        for (Workload.Sample s : samples) {
            if (s.failed()) {
                errors++;
            }
            long end = s.startNanos() + s.latencyNanos();
            if (s.startNanos() < migEnd && end > migStart) {
                latencies.add(s.latencyNanos());
            }
            if (s.startNanos() >= migStart && s.startNanos() <= migEnd) {
                inWindow++;
            }
        }
        Collections.sort(latencies);
        long max = latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1) / 1_000_000;
        double p99 = latencies.isEmpty() ? 0
                : latencies.get((int) Math.min(latencies.size() - 1, Math.ceil(latencies.size() * 0.99) - 1)) / 1e6;
        return new Run(tool, lockSafe, repetition, max, p99, errors, inWindow, (migEnd - migStart) / 1_000_000,
                attempts, (migEnd - releasedAt) / 1_000_000, samples, migStart, queuedAt, releasedAt);
    }

    private static void printTable(List<Run> runs, long blockMs, Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("\n");
        sb.append(String.format(Locale.ROOT, "%-26s %12s %10s %7s %9s %12s %9s %16s%n", "run", "max lat ms",
                "p99 ms", "errors", "queries", "migration ms", "attempts", "blocker end->done"));
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%-26s %12d %10.1f %7d %9d %12d %9d %14d ms%n",
                    r.name() + (r.repetition() > 1 ? " #" + r.repetition() : ""), r.maxLatencyMs(), r.p99LatencyMs(),
                    r.errors(), r.queriesInWindow(), r.migrationMs(), r.attempts(), r.blockerEndToDoneMs()));
        }
        for (Tool tool : Tool.values()) {
            List<Run> plain = runs.stream().filter(r -> r.tool() == tool && !r.lockSafe()).toList();
            List<Run> safe = runs.stream().filter(r -> r.tool() == tool && r.lockSafe()).toList();
            long plainMax = median(plain.stream().map(Run::maxLatencyMs).toList());
            long safeMax = median(safe.stream().map(Run::maxLatencyMs).toList());
            sb.append(String.format(Locale.ROOT, "%s: application max latency plain / LockSafe = %d / %d = %.1fx%s%n",
                    tool.label, plainMax, safeMax, plainMax / (double) Math.max(1, safeMax),
                    runs.size() > Tool.values().length * 2 ? " (medians of " + safe.size() + " runs)" : ""));
            if (safe.size() > 1) {
                long within150 = safe.stream().filter(r -> r.blockerEndToDoneMs() <= 150).count();
                sb.append(String.format(Locale.ROOT, "%s + LockSafe over %d runs: blocker end -> done median %d ms,"
                                + " max %d ms, <= 150 ms in %d of %d; failed attempts max %d; application max latency"
                                + " max %d ms; errors %d%n", tool.label, safe.size(),
                        median(safe.stream().map(Run::blockerEndToDoneMs).toList()),
                        safe.stream().mapToLong(Run::blockerEndToDoneMs).max().orElse(0), within150, safe.size(),
                        safe.stream().mapToInt(Run::attempts).max().orElse(1) - 1,
                        safe.stream().mapToLong(Run::maxLatencyMs).max().orElse(0),
                        safe.stream().mapToInt(Run::errors).sum()));
            }
        }
        sb.append("(blocker held its lock ").append(blockMs).append(" ms from when the migration queued behind it;")
                .append(" LockSafe settings ").append(settings).append(')');
        LOG.info(sb.toString());
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    private static String json(List<Run> runs, long blockMs, int rows, int clients, Map<String, String> settings,
                               int pgVersion) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"postgresql\": ").append(pgVersion).append(",\n");
        sb.append("  \"blockMs\": ").append(blockMs).append(",\n");
        sb.append("  \"rows\": ").append(rows).append(",\n");
        sb.append("  \"clients\": ").append(clients).append(",\n");
        sb.append("  \"lockSafeSettings\": {");
        List<String> kv = new ArrayList<>();
        settings.forEach((k, v) -> kv.add("\"" + k + "\": \"" + v + "\""));
        sb.append(String.join(", ", kv)).append("},\n  \"runs\": [\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            sb.append(String.format(Locale.ROOT, "    {\"tool\": \"%s\", \"lockSafe\": %s, \"repetition\": %d, \"maxLatencyMs\": %d,"
                            + " \"p99LatencyMs\": %.1f, \"errors\": %d, \"queriesDuringMigration\": %d,"
                            + " \"migrationMs\": %d, \"attempts\": %d, \"blockerEndToDoneMs\": %d}%s%n",
                    r.tool().label, r.lockSafe(), r.repetition(), r.maxLatencyMs(), r.p99LatencyMs(), r.errors(), r.queriesInWindow(),
                    r.migrationMs(), r.attempts(), r.blockerEndToDoneMs(), i < runs.size() - 1 ? "," : ""));
        }
        return sb.append("  ]\n}\n").toString();
    }

    static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
