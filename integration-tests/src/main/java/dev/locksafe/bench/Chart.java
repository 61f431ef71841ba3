package dev.locksafe.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained SVG: one panel per run, every application query as a dot at (start time relative
 * to the migration's start, latency on a log scale). The shaded band is the time the blocker held its
 * lock; the dashed line is LockSafe's {@code lock_timeout}. Plain runs show a wall of queries stuck for
 * the blocker's duration; LockSafe runs stay under the dashed line.
 */
final class Chart {

    private static final int WIDTH = 960;
    private static final int PANEL = 150;
    private static final int LEFT = 70;
    private static final int TOP = 74;
    private static final double Y_MIN_MS = 0.1;

    private Chart() {
    }

    static String svg(List<DowntimeBenchmark.Run> runs, long blockMs, Map<String, String> settings) {
        double xMinS = -0.5;
        double xMaxS = 0.5;
        long yMaxMs = 1;
        for (DowntimeBenchmark.Run r : runs) {
            xMaxS = Math.max(xMaxS, (r.migrationMs() + 600) / 1000.0);
            yMaxMs = Math.max(yMaxMs, r.maxLatencyMs());
        }
        double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(yMaxMs, 10))));
        double lockTimeoutMs = lockTimeoutMillis(settings);
        int height = TOP + runs.size() * (PANEL + 30) + 10;
        int plotWidth = WIDTH - LEFT - 20;
        int plotHeight = PANEL - 20;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
                + "Application query latency while ALTER TABLE waits for a lock held %.1f s</text>%n", LEFT,
                blockMs / 1000.0));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"38\" fill=\"#555\">x: seconds since the migration"
                + " started; y: query latency, log scale; dashed: LockSafe's lock_timeout (%s)</text>%n", LEFT,
                settings.getOrDefault("lockTimeout", "?")));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"54\" fill=\"#555\">shaded: the blocker holds its"
                + " lock; its %.1f s count from the orange mark, when the migration's lock request queued</text>%n",
                LEFT, blockMs / 1000.0));
        double span = xMaxS - xMinS;
        for (int i = 0; i < runs.size(); i++) {
            DowntimeBenchmark.Run r = runs.get(i);
            int y0 = TOP + i * (PANEL + 30);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: slowest query %d ms,"
                    + " p99 %.1f ms, %d errors, %d attempt(s), done %d ms after the blocker ended</text>%n", LEFT,
                    y0 + 12, r.name(), r.maxLatencyMs(), r.p99LatencyMs(), r.errors(), r.attempts(),
                    r.blockerEndToDoneMs()));
            int top = y0 + 20;
            double releasedS = (r.releasedNanos() - r.migrationStartNanos()) / 1e9;
            double queuedS = (r.queuedNanos() - r.migrationStartNanos()) / 1e9;
            int bandEnd = x(Math.min(releasedS, xMaxS), xMinS, span, plotWidth);
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fde8c8\"/>%n",
                    LEFT, top, Math.max(0, bandEnd - LEFT), plotHeight));
            int queuedX = x(queuedS, xMinS, span, plotWidth);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c77c00\""
                    + " stroke-width=\"2\"/>%n", queuedX, queuedX, top, top + plotHeight));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                    + " stroke=\"#999\"/>%n", LEFT, top, plotWidth, plotHeight));
            for (double tick = Y_MIN_MS; tick <= yMax + 1e-9; tick *= 10) {
                int ty = y(tick, yMax, top, plotHeight);
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s ms"
                        + "</text><line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                        LEFT - 4, ty + 4, tick < 1 ? "0.1" : String.valueOf(Math.round(tick)), LEFT, LEFT + plotWidth,
                        ty, ty));
            }
            if (lockTimeoutMs > 0) {
                int ly = y(lockTimeoutMs, yMax, top, plotHeight);
                sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#1a7f37\""
                        + " stroke-dasharray=\"5,4\"/>%n", LEFT, LEFT + plotWidth, ly, ly));
            }
            for (int s = 0; s <= (int) xMaxS; s++) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%ds"
                        + "</text>%n", x(s, xMinS, span, plotWidth), top + plotHeight + 14, s));
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
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"1.6\" fill=\"%s\"/>%n",
                        x(xs, xMinS, span, plotWidth), y(smp.latencyNanos() / 1e6, yMax, top, plotHeight),
                        smp.failed() ? "black" : color));
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static int x(double seconds, double xMinS, double span, int plotWidth) {
        return LEFT + (int) Math.round(plotWidth * (seconds - xMinS) / span);
    }

    private static int y(double ms, double yMax, int top, int plotHeight) {
        double clamped = Math.max(Y_MIN_MS, Math.min(ms, yMax));
        double f = (Math.log10(clamped) - Math.log10(Y_MIN_MS)) / (Math.log10(yMax) - Math.log10(Y_MIN_MS));
        return top + plotHeight - (int) Math.round(plotHeight * f);
    }

    private static double lockTimeoutMillis(Map<String, String> settings) {
        return dev.locksafe.LockSafeSettings.fromMap(settings).lockTimeout().toMillis();
    }
}
