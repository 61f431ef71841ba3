package dev.locksafe.spring.boot;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code META-INF/spring-configuration-metadata.json} (the IDE completion and documentation of the
 * {@code locksafe.*} properties) from {@link Setting}: run by the build, not API. The description, type and
 * default of each property are its setting's, so they cannot drift from what LockSafe accepts.
 */
public final class SpringConfigurationMetadata {

    /** Known values worth offering in an IDE, per setting. */
    private static final Map<Setting, Map<String, String>> VALUE_HINTS = Map.of(Setting.RETRY_SQL_STATES, Map.of(
            "55P03", "lock_not_available: lock_timeout fired.",
            "40P01", "deadlock_detected: retry deadlocks with the application too."));

    private SpringConfigurationMetadata() {
    }

    /** Writes the metadata file under the directory {@code args[0]} (the module's classes directory). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0], "META-INF", "spring-configuration-metadata.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json(), StandardCharsets.UTF_8);
    }

    /** The metadata document. */
    static String json() {
        Map<String, String> defaults = LockSafeSettings.defaults().asMap();
        List<String> properties = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        for (Setting s : Setting.values()) {
            String name = LockSafeProperties.propertyName(s);
            StringBuilder p = new StringBuilder("    {\"name\": ").append(quote(name))
                    .append(", \"type\": ").append(quote(javaType(s.valueType())))
                    .append(", \"description\": ").append(quote(s.description() + " Accepted: " + s.accepted() + "."))
                    .append(", \"sourceType\": ").append(quote(LockSafeProperties.class.getName()));
            String def = defaults.get(s.key());
            if (def != null) {
                p.append(", \"defaultValue\": ").append(jsonDefault(s.valueType(), def));
            }
            properties.add(p.append('}').toString());
            Map<String, String> values = VALUE_HINTS.get(s);
            if (values != null) {
                List<String> entries = new ArrayList<>();
                values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> entries.add(
                        "{\"value\": " + quote(e.getKey()) + ", \"description\": " + quote(e.getValue()) + "}"));
                hints.add("    {\"name\": " + quote(name) + ", \"values\": [" + String.join(", ", entries) + "]}");
            }
        }
        return "{\n  \"groups\": [\n    {\"name\": \"locksafe\", \"type\": " + quote(LockSafeProperties.class.getName())
                + ", \"description\": \"LockSafe: bounded lock waits and retries for Flyway and Liquibase migrations.\"}\n  ],\n"
                + "  \"properties\": [\n" + String.join(",\n", properties) + "\n  ],\n"
                + "  \"hints\": [\n" + String.join(",\n", hints) + "\n  ]\n}\n";
    }

    private static String javaType(Class<?> type) {
        if (type == Set.class) {
            return "java.util.List<java.lang.String>";
        }
        if (type == Duration.class || type == Boolean.class || type == Integer.class || type == Double.class
                || type.isEnum()) {
            return type.getName();
        }
        return "java.lang.String"; // parsed by LockSafe from its text (checkAllow, checkSeverity, checkReport)
    }

    private static String jsonDefault(Class<?> type, String text) {
        if (type == Boolean.class || type == Integer.class || type == Double.class) {
            return text;
        }
        if (type == Set.class) {
            List<String> items = new ArrayList<>();
            for (String item : text.split(",")) {
                items.add(quote(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        return quote(text);
    }

    private static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
