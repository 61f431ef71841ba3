package dev.locksafe.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reports of one run in the {@code checkReport} directory, rewritten after every migration so that a
 * run that stops half-way still leaves one: {@code locksafe-zdd.json} (the canonical report, versioned by
 * its {@code schema} field) and {@code locksafe-zdd-junit.xml} (one test case per migration, one failure
 * per error finding not allowed: what GitLab, Jenkins, Azure DevOps and CircleCI show natively).
 */
final class ZddReport {

    /** The version of the JSON report's layout. */
    static final int SCHEMA = 1;
    static final String JSON_FILE = "locksafe-zdd.json";
    static final String JUNIT_FILE = "locksafe-zdd-junit.xml";

    private record Entry(String migration, boolean judged, List<Finding> findings) {
    }

    private final Path directory;
    private final String tool;
    private final CheckMode mode;
    private final List<Entry> entries = new ArrayList<>();

    ZddReport(Path directory, String tool, CheckMode mode) {
        this.directory = directory;
        this.tool = tool;
        this.mode = mode;
    }

    void judged(String migration, List<Finding> findings) {
        entries.add(new Entry(migration, true, findings));
        write();
    }

    void notJudged(String migration) {
        entries.add(new Entry(migration, false, List.of()));
        write();
    }

    private void write() {
        try {
            Files.createDirectories(directory);
            replace(directory.resolve(JSON_FILE), json());
            replace(directory.resolve(JUNIT_FILE), junit());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ZDD report in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Written beside and moved into place: a reader never sees half a report. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    String json() {
        int errors = 0;
        int warnings = 0;
        int info = 0;
        int allowed = 0;
        List<String> migrations = new ArrayList<>();
        for (Entry e : entries) {
            List<String> findings = new ArrayList<>();
            for (Finding f : e.findings()) {
                if (f.allowed()) {
                    allowed++;
                } else if (f.severity() == Severity.ERROR) {
                    errors++;
                } else if (f.severity() == Severity.WARNING) {
                    warnings++;
                } else {
                    info++;
                }
                findings.add("{\"rule\": " + q(f.rule().id()) + ", \"name\": " + q(f.rule().ruleName())
                        + ", \"severity\": " + q(f.severity().name().toLowerCase(Locale.ROOT))
                        + ", \"object\": " + q(f.object()) + ", \"detail\": " + q(f.detail())
                        + ", \"impact\": " + q(f.rule().impact()) + ", \"recipe\": " + q(f.rule().recipe())
                        + ", \"allowed\": " + f.allowed() + ", \"allowedBecause\": " + q(f.allowedBecause()) + "}");
            }
            migrations.add("    {\"id\": " + q(e.migration()) + ", \"judged\": " + e.judged()
                    + (e.judged() ? "" : ", \"why\": \"ran outside a transaction: committed statement by statement\"")
                    + ", \"findings\": [" + (findings.isEmpty() ? "" : "\n      " + String.join(",\n      ", findings) + "\n    ")
                    + "]}");
        }
        return "{\n  \"schema\": " + SCHEMA + ",\n  \"tool\": " + q(tool) + ",\n  \"mode\": " + q(mode.text())
                + ",\n  \"baseline\": \"the schema at the start of the run\",\n  \"migrations\": ["
                + (migrations.isEmpty() ? "" : "\n" + String.join(",\n", migrations) + "\n  ")
                + "],\n  \"summary\": {\"errors\": " + errors + ", \"warnings\": " + warnings + ", \"info\": " + info
                + ", \"allowed\": " + allowed + "}\n}\n";
    }

    String junit() {
        int failures = 0;
        int skipped = 0;
        StringBuilder cases = new StringBuilder();
        for (Entry e : entries) {
            cases.append("  <testcase classname=").append(a(tool)).append(" name=").append(a(e.migration())).append('>');
            if (!e.judged()) {
                skipped++;
                cases.append("<skipped message=\"ran outside a transaction: not judged\"/>");
            }
            StringBuilder out = new StringBuilder();
            for (Finding f : e.findings()) {
                if (f.fails()) {
                    failures++;
                    cases.append("\n    <failure type=").append(a(f.rule().id())).append(" message=")
                            .append(a(f.rule().ruleName() + " " + f.object())).append('>').append(x(f.describe()))
                            .append("</failure>");
                } else {
                    out.append(f.describe()).append('\n');
                }
            }
            if (out.length() > 0) {
                cases.append("\n    <system-out>").append(x(out.toString())).append("</system-out>");
            }
            cases.append(e.findings().isEmpty() ? "" : "\n  ").append("</testcase>\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"locksafe-zdd\" tests=\"" + entries.size()
                + "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"" + skipped + "\">\n" + cases + "</testsuite>\n";
    }

    private static String q(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** XML text. */
    private static String x(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** An XML attribute value, quoted. */
    private static String a(String text) {
        return "\"" + x(text).replace("\n", "&#10;") + "\"";
    }
}
