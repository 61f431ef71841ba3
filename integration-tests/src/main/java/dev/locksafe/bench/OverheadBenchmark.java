package dev.locksafe.bench;

import dev.locksafe.testing.PostgresServer;
import dev.locksafe.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LockSafe's cost when nothing blocks: {@code n} small migrations (Flyway) and changesets (Liquibase),
 * with and without LockSafe, on a fresh database each time. One warm-up round is discarded; then the
 * four configurations run in alternating order (ABBA per tool), {@code repetitions} times, and the
 * medians are compared side by side.
 */
final class OverheadBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger("bench");

    private OverheadBenchmark() {
    }

    static void run(PostgresServer server, Path out, int repetitions, int migrations, Map<String, String> settings)
            throws Exception {
        List<String> statements = new ArrayList<>();
        for (int i = 1; i <= migrations; i++) {
            statements.add("create table t_" + i + " (id int primary key, v text)");
        }
        Map<Tool, List<Long>> plain = new EnumMap<>(Tool.class);
        Map<Tool, List<Long>> safe = new EnumMap<>(Tool.class);
        LOG.info("---- overhead: {} uncontended migrations per run, 1 warm-up + {} measured rounds ----", migrations,
                repetitions);
        for (int round = 0; round <= repetitions; round++) {
            for (Tool tool : Tool.values()) {
                boolean[] order = round % 2 == 0 ? new boolean[] {false, true, true, false}
                        : new boolean[] {true, false, false, true};
                for (boolean lockSafe : order) {
                    long ms = once(server, tool, lockSafe, statements, round, settings);
                    if (round > 0) {
                        (lockSafe ? safe : plain).computeIfAbsent(tool, t -> new ArrayList<>()).add(ms);
                    }
                }
            }
        }
        StringBuilder json = new StringBuilder("{\n  \"migrations\": " + migrations + ",\n  \"rounds\": "
                + repetitions + ",\n  \"results\": [\n");
        StringBuilder table = new StringBuilder("\n");
        List<Tool> tools = List.of(Tool.values());
        for (int i = 0; i < tools.size(); i++) {
            Tool tool = tools.get(i);
            double p = median(plain.get(tool));
            double s = median(safe.get(tool));
            table.append(String.format(Locale.ROOT, "%-10s plain median %7.0f ms, LockSafe median %7.0f ms,"
                    + " ratio %.3f  (plain %s, LockSafe %s)%n", tool.label, p, s, s / p, plain.get(tool),
                    safe.get(tool)));
            json.append(String.format(Locale.ROOT, "    {\"tool\": \"%s\", \"plainMedianMs\": %.0f,"
                    + " \"lockSafeMedianMs\": %.0f, \"ratio\": %.3f, \"plainMs\": %s, \"lockSafeMs\": %s}%s%n",
                    tool.label, p, s, s / p, plain.get(tool), safe.get(tool), i < tools.size() - 1 ? "," : ""));
        }
        LOG.info(table.toString());
        DowntimeBenchmark.write(out.resolve("overhead.json"), json.append("  ]\n}\n").toString());
        LOG.info("Wrote {}", out.resolve("overhead.json").toAbsolutePath());
    }

    private static long once(PostgresServer server, Tool tool, boolean lockSafe, List<String> statements, int round,
                             Map<String, String> settings) throws Exception {
        String name = "overhead_" + tool.name().toLowerCase(Locale.ROOT) + (lockSafe ? "_ls" : "_plain") + "_" + round;
        TestDatabase db = server.createDatabase(name);
        try {
            long start = System.nanoTime();
            tool.migrate(db, statements, lockSafe, settings);
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            server.dropDatabase(name);
        }
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
