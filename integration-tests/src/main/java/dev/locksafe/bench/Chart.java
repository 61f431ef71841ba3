package dev.locksafe.bench;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG: one panel per run, every application query as a dot at (start time relative
 * to the migration's start, latency). Plain runs show a wall of queries stuck for the blocker's
 * duration; LockSafe runs stay flat.
 */
final class Chart {

    private static final int WIDTH = 960;
    private static final int PANEL = 150;
    private static final int LEFT = 70;
    private static final int TOP = 40;

    private Chart() {
    }

    static String svg(List<DowntimeBenchmark.Run> runs, long blockMs) {
        double xMinS = -0.5;
        double xMaxS = 0.5;
        long yMaxMs = 1;
        for (DowntimeBenchmark.Run r : runs) {
            xMaxS = Math.max(xMaxS, (r.migrationMs() + 600) / 1000.0);
            yMaxMs = Math.max(yMaxMs, r.maxLatencyMs());
        }
        yMaxMs = niceCeiling(yMaxMs);
        int height = TOP + runs.size() * (PANEL + 30) + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
                + "Application query latency while ALTER TABLE waits for a lock held %.1f s"
                + " (x: seconds since the migration started, y: latency in ms)</text>%n", LEFT, blockMs / 1000.0));
        int plotWidth = WIDTH - LEFT - 20;
        for (int i = 0; i < runs.size(); i++) {
            DowntimeBenchmark.Run r = runs.get(i);
            int y0 = TOP + i * (PANEL + 30);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: slowest query %d ms,"
                    + " p99 %.1f ms, %d errors, %d attempt(s)</text>%n", LEFT, y0 + 12, r.name(), r.maxLatencyMs(),
                    r.p99LatencyMs(), r.errors(), r.attempts()));
            int top = y0 + 20;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                    + " stroke=\"#999\"/>%n", LEFT, top, plotWidth, PANEL - 20));
            for (long tick = 0; tick <= yMaxMs; tick += yMaxMs / 4) {
                int ty = top + (PANEL - 20) - (int) ((PANEL - 20) * tick / (double) yMaxMs);
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%d ms"
                        + "</text><line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                        LEFT - 4, ty + 4, tick, LEFT, LEFT + plotWidth, ty, ty));
            }
            double span = xMaxS - xMinS;
            for (int s = 0; s <= (int) xMaxS; s++) {
                int tx = LEFT + (int) (plotWidth * (s - xMinS) / span);
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%ds"
                        + "</text>%n", tx, top + PANEL - 6, s));
            }
            String color = r.lockSafe() ? "#1a7f37" : "#cf222e";
            // every slow or failed query, and an even sample of the fast ones, keeps the file small
            int step = Math.max(1, r.samples().size() / 1500);
            int index = 0;
            for (Workload.Sample smp : r.samples()) {
                if (index++ % step != 0 && smp.latencyNanos() < 10_000_000 && !smp.failed()) {
                    continue;
                }
                double xs = (smp.startNanos() - r.migrationStartNanos()) / 1e9;
                if (xs < xMinS || xs > xMaxS) {
                    continue;
                }
                double ms = smp.latencyNanos() / 1e6;
                int px = LEFT + (int) (plotWidth * (xs - xMinS) / span);
                int py = top + (PANEL - 20) - (int) ((PANEL - 20) * Math.min(ms, yMaxMs) / yMaxMs);
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"1.6\" fill=\"%s\"/>%n", px, py,
                        smp.failed() ? "black" : color));
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static long niceCeiling(long ms) {
        long[] steps = {100, 200, 400, 800, 1000, 2000, 4000, 6000, 8000, 10000, 20000, 40000};
        for (long s : steps) {
            if (ms <= s) {
                return s;
            }
        }
        return ((ms / 10000) + 1) * 10000;
    }
}
