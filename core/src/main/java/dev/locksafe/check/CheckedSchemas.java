package dev.locksafe.check;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code checkSchemas} setting: the schemas the ZDD check reads and judges, for a database whose other
 * schemas belong to other applications, or a catalog too large to read whole. Written {@code public, billing}:
 * names as {@code pg_namespace} has them (lower case unless they were created quoted). Unset: every schema
 * but PostgreSQL's own. The names are bound as a query parameter, never written into SQL.
 */
public final class CheckedSchemas {

    /** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1). */
    private static final int MAX_NAME_BYTES = 63;
    private static final CheckedSchemas ALL = new CheckedSchemas(List.of());

    private final List<String> names;

    private CheckedSchemas(List<String> names) {
        this.names = names;
    }

    /** Every schema but PostgreSQL's own. */
    public static CheckedSchemas all() {
        return ALL;
    }

    /**
     * Reads {@code text}: schema names separated by commas.
     *
     * @throws IllegalArgumentException naming an empty or too long name, or a system schema
     */
    public static CheckedSchemas parse(String text) {
        Set<String> names = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an empty schema name");
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("schema name '" + name + "' is longer than 63 bytes");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("pg_") || lower.equals("information_schema")) {
                throw new IllegalArgumentException("'" + name + "' is a PostgreSQL system schema, which the check"
                        + " never reads");
            }
            names.add(name);
        }
        return new CheckedSchemas(List.copyOf(names));
    }

    /** The schema names; empty for every schema. */
    public List<String> names() {
        return names;
    }

    /** Whether every (non-system) schema is checked. */
    public boolean isAll() {
        return names.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckedSchemas other && names.equals(other.names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    /** The setting's text: the names, comma-separated. */
    @Override
    public String toString() {
        return String.join(",", names);
    }
}
