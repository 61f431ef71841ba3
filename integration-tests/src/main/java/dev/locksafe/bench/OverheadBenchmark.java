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
 * in two variants (without and with LockSafe; or, with {@code -Dbench.overhead.check=true}, LockSafe with
 * {@code check=off} and with {@code check=warn}), on a fresh database each time. One warm-up round is
 * discarded; then the four configurations run in alternating order (ABBA per tool), {@code repetitions}
 * times, and the medians are compared side by side.
 */
final class OverheadBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger("bench");

    private OverheadBenchmark() {
    }

    /** One side of the comparison. */
    record Variant(String label, boolean lockSafe, Map<String, String> settings) {
    }

    static void run(PostgresServer server, Path out, int repetitions, int migrations, Map<String, String> settings)
            throws Exception {
        if (Boolean.getBoolean("bench.overhead.check")) {
            Map<String, String> off = new java.util.LinkedHashMap<>(settings);
            off.put("check", "off");
            Map<String, String> warn = new java.util.LinkedHashMap<>(settings);
            warn.put("check", "warn");
            run(server, out.resolve(Boolean.getBoolean("bench.overhead.alter") ? "overhead-check-alter.json"
                            : "overhead-check.json"), repetitions, migrations,
                    new Variant("check=off", true, off), new Variant("check=warn", true, warn));
        } else {
            run(server, out.resolve("overhead.json"), repetitions, migrations,
                    new Variant("plain", false, settings), new Variant("LockSafe", true, settings));
        }
    }

    private static void run(PostgresServer server, Path file, int repetitions, int migrations, Variant a, Variant b)
            throws Exception {
        List<String> statements = new ArrayList<>();
        boolean alter = Boolean.getBoolean("bench.overhead.alter");
        int tables = alter ? Math.min(20, migrations) : migrations;
        for (int i = 1; i <= tables; i++) {
            statements.add("create table t_" + i + " (id int primary key, v text)");
        }
        // -Dbench.overhead.alter=true: after 20 tables, every migration alters one of them (the ZDD check's
        // full judgement runs for each, where a migration that only creates objects needs none)
        for (int i = tables + 1; i <= migrations; i++) {
            statements.add("alter table t_" + (i % tables + 1) + " add column c_" + i + " text");
        }
        Map<Tool, List<Long>> plain = new EnumMap<>(Tool.class);
        Map<Tool, List<Long>> safe = new EnumMap<>(Tool.class);
        LOG.info("---- overhead: {} uncontended migrations per run, 1 warm-up + {} measured rounds, {} vs {} ----",
                migrations, repetitions, a.label(), b.label());
        for (int round = 0; round <= repetitions; round++) {
            for (Tool tool : Tool.values()) {
                boolean[] order = round % 2 == 0 ? new boolean[] {false, true, true, false}
                        : new boolean[] {true, false, false, true};
                for (boolean second : order) {
                    long ms = once(server, tool, second ? b : a, statements, round);
                    if (round > 0) {
                        (second ? safe : plain).computeIfAbsent(tool, t -> new ArrayList<>()).add(ms);
                    }
                }
            }
        }
        StringBuilder json = new StringBuilder("{\n  \"migrations\": " + migrations + ",\n  \"rounds\": "
                + repetitions + ",\n  \"a\": \"" + a.label() + "\",\n  \"b\": \"" + b.label()
                + "\",\n  \"results\": [\n");
        StringBuilder table = new StringBuilder("\n");
        List<Tool> tools = List.of(Tool.values());
        for (int i = 0; i < tools.size(); i++) {
            Tool tool = tools.get(i);
            double p = median(plain.get(tool));
            double s = median(safe.get(tool));
            List<Double> paired = pairedRatios(plain.get(tool), safe.get(tool));
            double pairedMedian = median(paired);
            table.append(String.format(Locale.ROOT, "%-10s %s median %7.0f ms, %s median %7.0f ms,"
                    + " ratio %.3f, paired %.3f (rounds %.3f-%.3f)  (%s %s, %s %s)%n", tool.label, a.label(), p,
                    b.label(), s, s / p, pairedMedian, Collections.min(paired), Collections.max(paired), a.label(),
                    plain.get(tool), b.label(), safe.get(tool)));
            json.append(String.format(Locale.ROOT, "    {\"tool\": \"%s\", \"aMedianMs\": %.0f,"
                    + " \"bMedianMs\": %.0f, \"ratio\": %.3f, \"pairedRatio\": %.3f, \"aMs\": %s, \"bMs\": %s}%s%n",
                    tool.label, p, s, s / p, pairedMedian, plain.get(tool), safe.get(tool),
                    i < tools.size() - 1 ? "," : ""));
        }
        LOG.info(table.toString());
        DowntimeBenchmark.write(file, json.append("  ]\n}\n").toString());
        LOG.info("Wrote {}", file.toAbsolutePath());
    }

    private static long once(PostgresServer server, Tool tool, Variant variant, List<String> statements, int round)
            throws Exception {
        String name = "overhead_" + tool.name().toLowerCase(Locale.ROOT) + "_"
                + variant.label().replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT) + "_" + round;
        TestDatabase db = server.createDatabase(name);
        try {
            long start = System.nanoTime();
            tool.migrate(db, statements, variant.lockSafe(), variant.settings());
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            server.dropDatabase(name);
        }
    }

    /**
     * Each round's ratio of its two b samples to its two a samples, measured back to back: the machine's slow
     * drift (a run's early rounds are often slower) cancels within a round, where the ratio of the medians
     * compares samples minutes apart.
     */
    private static List<Double> pairedRatios(List<Long> a, List<Long> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i + 1 < a.size(); i += 2) {
            ratios.add((double) (b.get(i) + b.get(i + 1)) / (a.get(i) + a.get(i + 1)));
        }
        return ratios;
    }

    private static <N extends Number & Comparable<N>> double median(List<N> values) {
        List<N> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2).doubleValue()
                : (sorted.get(n / 2 - 1).doubleValue() + sorted.get(n / 2).doubleValue()) / 2.0;
    }
}
