package dev.locksafe.bench;

import dev.locksafe.check.AllowMarkers;
import dev.locksafe.check.CheckMode;
import dev.locksafe.check.ZddCheck;
import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZDD check's catalog cost on a large schema: {@code tables} tables of {@code columns} columns, each
 * with a primary key, two more indexes and a check constraint. Measures the baseline (a full snapshot,
 * once per run) and the judgement of one small migration (its snapshot, its own locks, the diff), each
 * {@code repetitions} times inside a transaction, as during a migration.
 */
final class SnapshotBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger("bench");

    private SnapshotBenchmark() {
    }

    static void run(PostgresServer server, Path out, int tables, int columns, int repetitions) throws Exception {
        TestDatabase db = server.createDatabase("bench_snapshot");
        try (Connection c = db.connect("bench-snapshot")) {
            LOG.info("---- ZDD check snapshot: {} tables x {} columns ----", tables, columns);
            try (Statement st = c.createStatement()) {
                for (int t = 1; t <= tables; t++) {
                    StringBuilder ddl = new StringBuilder("create table t_" + t + " (id bigint primary key");
                    for (int col = 2; col <= columns; col++) {
                        ddl.append(", c").append(col).append(col % 3 == 0 ? " int" : col % 3 == 1 ? " text" : " numeric(12,2)");
                    }
                    ddl.append(", constraint t_").append(t).append("_c4_check check (c4 is null or c4 <> ''))");
                    st.execute(ddl.toString());
                    st.execute("create index t_" + t + "_c3_idx on t_" + t + " (c3)");
                    st.execute("create index t_" + t + "_c4_idx on t_" + t + " (c4)");
                }
            }
            List<Double> baseline = new ArrayList<>();
            List<Double> judgement = new ArrayList<>();
            c.setAutoCommit(false);
            for (int i = 0; i <= repetitions; i++) {
                ZddCheck check = ZddCheck.forRun(CheckMode.WARN, Set.of());
                long start = System.nanoTime();
                check.beforeMigration(c);
                double before = (System.nanoTime() - start) / 1e6;
                try (Statement st = c.createStatement()) {
                    st.execute("alter table t_1 add column extra_" + i + " text");
                }
                start = System.nanoTime();
                check.afterMigration(c, "bench", AllowMarkers.none());
                double after = (System.nanoTime() - start) / 1e6;
                c.rollback();
                if (i > 0) { // the first round warms up the JIT and the catalog caches
                    baseline.add(before);
                    judgement.add(after);
                }
            }
            String line = String.format(Locale.ROOT, "baseline snapshot: median %.1f ms (min %.1f, max %.1f);"
                    + " judgement of one migration: median %.1f ms (min %.1f, max %.1f); %d rounds",
                    median(baseline), Collections.min(baseline), Collections.max(baseline), median(judgement),
                    Collections.min(judgement), Collections.max(judgement), repetitions);
            LOG.info(line);
            DowntimeBenchmark.write(out.resolve("snapshot.json"), String.format(Locale.ROOT,
                    "{\n  \"tables\": %d,\n  \"columns\": %d,\n  \"baselineMs\": %s,\n  \"judgementMs\": %s,\n"
                            + "  \"baselineMedianMs\": %.1f,\n  \"judgementMedianMs\": %.1f\n}\n", tables, columns,
                    fmt(baseline), fmt(judgement), median(baseline), median(judgement)));
        } finally {
            server.dropDatabase("bench_snapshot");
        }
    }

    private static String fmt(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList().toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
