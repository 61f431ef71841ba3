package dev.locksafe.internal;

import dev.locksafe.LogSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a retried {@code CREATE [UNIQUE] INDEX CONCURRENTLY} from leaving, or silently keeping, an
 * INVALID index. A concurrent build that fails after its first phase leaves the index in the catalog
 * with {@code pg_index.indisvalid = false}; a plain retry would then fail with "already exists", and
 * with {@code IF NOT EXISTS} it would succeed while keeping the broken index.
 *
 * <p>Only the statement's own table is looked at, as the server resolves the name (its schema from the
 * search_path), and an index that another live session is building ({@code pg_stat_progress_create_index})
 * is never touched: with one schema per tenant migrated in parallel, another tenant's index of the same
 * name, or another session's build on the same table, is INVALID while it builds and is not ours.
 *
 * <p>Before each attempt the cleaner notes the invalid indexes of the table that already exist; after a
 * failure, the invalid indexes that are new (and, when the statement names its index, have that name)
 * are the attempt's leftovers, and are dropped with {@code DROP INDEX CONCURRENTLY}, which never blocks
 * application reads or writes. That drop itself waits for the transactions the build waited for, so
 * while they last it times out; the leftover is then dropped at the start of the next attempt. After the
 * last attempt the drop waits longer (up to {@code maxBackoff}), and an INVALID index bearing the
 * statement's index name is dropped before the first attempt of a later run.
 */
public final class InvalidIndexCleaner {

    private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*)";
    private static final Pattern CIC = Pattern.compile(
            "^\\s*(?:(?:--[^\\n]*\\n|/\\*.*?\\*/)\\s*)*create\\s+(?:unique\\s+)?index\\s+concurrently\\s+"
                    + "(?:if\\s+not\\s+exists\\s+)?(?:(?!on\\s)(?:" + IDENT + "\\s*\\.\\s*)?(" + IDENT + "))?"
                    + "(?:\\s*\\bon\\s+(?:only\\s+)?(" + IDENT + "(?:\\s*\\.\\s*" + IDENT + ")?))?",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /**
     * The INVALID indexes of the statement's own table, resolved by the server as the statement is
     * (search_path, quoting), without those another live session is building right now: a concurrent
     * build's index is INVALID until it ends, and is not ours to drop.
     */
    private static final String INVALID_INDEXES = "select i.indexrelid::bigint, c.relname,"
            + " format('%I.%I', n.nspname, c.relname)"
            + " from pg_index i join pg_class c on c.oid = i.indexrelid"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " where not i.indisvalid and i.indrelid = to_regclass(?)"
            + " and not exists (select 1 from pg_stat_progress_create_index p"
            + " where p.index_relid = i.indexrelid and p.pid <> pg_backend_pid())";

    private final String indexName;
    private final String table;
    private Set<Long> before = Set.of();
    private boolean pending;
    /** The drop sent last, so that a drop that timed out is named as the statement that did. */
    private String lastDrop;

    private InvalidIndexCleaner(String indexName, String table) {
        this.indexName = indexName;
        this.table = table;
    }

    /** Whether {@code sql} is a {@code CREATE [UNIQUE] INDEX CONCURRENTLY}, comments before it allowed. */
    public static boolean isConcurrentIndexBuild(String sql) {
        return CIC.matcher(sql).find();
    }

    /**
     * A cleaner for {@code sql} if it is a concurrent index build whose table can be read from it, else
     * {@code null}: without its table, LockSafe cannot tell its own leftovers from other indexes, and
     * touches none.
     */
    static InvalidIndexCleaner forStatement(String sql) {
        Matcher m = CIC.matcher(sql);
        if (!m.find() || m.group(2) == null) {
            return null;
        }
        String name = m.group(1);
        return new InvalidIndexCleaner(name == null ? null : unquote(name), m.group(2));
    }

    /** The table as the statement names it (quoted, perhaps schema-qualified), for the server to resolve. */
    String table() {
        return table;
    }

    private static String unquote(String ident) {
        if (ident.startsWith("\"")) {
            return ident.substring(1, ident.length() - 1).replace("\"\"", "\"");
        }
        return ident.toLowerCase(Locale.ROOT);
    }

    /**
     * Before an attempt: drops what an earlier attempt, or an earlier run of the same statement, left
     * (an INVALID index with the statement's index name), then notes the invalid indexes that remain.
     * A drop that fails here fails the attempt.
     */
    void prepare(String unitId, Connection c, LogSink log) throws SQLException {
        List<Leftover> invalid = invalidIndexes(c);
        boolean earlierRunLeftover = indexName != null && invalid.stream().anyMatch(l -> indexName.equals(l.name));
        if (pending || earlierRunLeftover) {
            for (String index : dropLeftovers(c)) {
                log.info("LockSafe: {} dropped the INVALID index {} left by {}", unitId, index,
                        pending ? "an earlier attempt" : "an earlier run of this statement");
            }
            pending = false;
            invalid = invalidIndexes(c);
        }
        Set<Long> ids = new HashSet<>();
        for (Leftover l : invalid) {
            ids.add(l.oid);
        }
        before = ids;
    }

    /**
     * After a failed attempt: drops its leftovers. The drop waits for the same old transactions the build
     * waited for; between attempts it is bounded by the attempt's lock_timeout and, when it cannot finish,
     * is logged and left pending for the next attempt. After the last attempt no attempt follows, so the
     * drop may wait up to {@code lastWait} (a {@code DROP INDEX CONCURRENTLY} blocks no reads or writes
     * while it waits); a leftover that outlives even that is named with the statement that removes it.
     *
     * @param lastWait {@code null} between attempts; after the last attempt, how long the drop may wait
     * @param log      where to say what was dropped, or could not be
     */
    void dropLeftoversAfterFailure(String unitId, Connection c, Duration lastWait, LogSink log) {
        try {
            if (lastWait != null) {
                SessionTimeouts.apply(c, lastWait, null, false); // the attempt's restore puts the old value back
            }
            for (String index : dropLeftovers(c)) {
                log.info("LockSafe: {} dropped the INVALID index {} left by the failed concurrent build", unitId, index);
            }
            pending = false;
        } catch (SQLException e) {
            pending = true;
            if (lastWait == null) {
                log.warn("LockSafe: {} could not drop the INVALID index left by the failed concurrent build yet ({});"
                        + " it is dropped before the next attempt", unitId, Text.shortenSql(e.getMessage()));
            } else {
                List<String> left = leftoversOrNone(c);
                log.warn("LockSafe: {} could not drop the INVALID index {} left by the failed concurrent build"
                                + " within {} ({}); the next run of this statement drops it first, or run: {}",
                        unitId, left.isEmpty() ? (indexName == null ? "(unnamed)" : indexName) : String.join(", ", left),
                        LoggingAttemptListener.seconds(lastWait), Text.shortenSql(e.getMessage()),
                        left.isEmpty() ? "DROP INDEX CONCURRENTLY IF EXISTS <index>;" : dropStatements(left));
            }
        }
    }

    /** The last {@code DROP INDEX CONCURRENTLY} sent by {@link #prepare} or after a failure, or {@code null}. */
    String lastDrop() {
        return lastDrop;
    }

    private List<String> leftoversOrNone(Connection c) {
        try {
            return leftovers(c);
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static String dropStatements(List<String> indexes) {
        StringBuilder sb = new StringBuilder();
        for (String index : indexes) {
            sb.append(sb.length() == 0 ? "" : " ").append("DROP INDEX CONCURRENTLY IF EXISTS ").append(index).append(';');
        }
        return sb.toString();
    }

    private List<String> leftovers(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        for (Leftover l : invalidIndexes(c)) {
            if (!before.contains(l.oid) && (indexName == null || indexName.equals(l.name))) {
                names.add(l.qualifiedName);
            }
        }
        return names;
    }

    /**
     * Drops the invalid indexes the failed attempt left.
     *
     * @return the qualified names of the dropped indexes
     */
    private List<String> dropLeftovers(Connection c) throws SQLException {
        List<String> dropped = new ArrayList<>();
        lastDrop = null;
        for (String index : leftovers(c)) {
            try (Statement st = c.createStatement()) {
                // the name was quoted by the server's format('%I.%I') from the catalog, never by us
                lastDrop = "DROP INDEX CONCURRENTLY IF EXISTS " + index;
                st.execute(lastDrop);
            }
            dropped.add(index);
        }
        return dropped;
    }

    private List<Leftover> invalidIndexes(Connection c) throws SQLException {
        List<Leftover> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INVALID_INDEXES)) {
            ps.setString(1, table); // resolved by to_regclass on the server, never spliced into SQL
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new Leftover(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return result;
    }

    private static final class Leftover {
        final long oid;
        final String name;
        final String qualifiedName;

        Leftover(long oid, String name, String qualifiedName) {
            this.oid = oid;
            this.name = name;
            this.qualifiedName = qualifiedName;
        }
    }
}
