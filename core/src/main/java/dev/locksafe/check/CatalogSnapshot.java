package dev.locksafe.check;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The user objects of the database as the catalog records them, read with plain catalog columns only:
 * no function that opens a relation (such as {@code pg_get_viewdef}), which would take and keep locks
 * inside the migration's transaction. Keyed by OID and {@code (attrelid, attnum)}, so renames are exact.
 */
final class CatalogSnapshot {

    /** A relation: table, partitioned table, view, materialized view, sequence, foreign table or index. */
    record Relation(long oid, String schema, String name, char kind, long filenode, long indexedTable) {
        String qualified() {
            return schema + "." + name;
        }

        boolean isTable() {
            return kind == 'r' || kind == 'p' || kind == 'f';
        }

        boolean isView() {
            return kind == 'v';
        }

        boolean isIndex() {
            return kind == 'i' || kind == 'I';
        }
    }

    /** A column. */
    record Column(long table, int number, String name, long type, int typmod, boolean notNull, boolean hasDefault,
                  boolean dropped, boolean identityOrGenerated) {
        ColumnKey key() {
            return new ColumnKey(table, number);
        }
    }

    record ColumnKey(long table, int number) {
    }

    /** An enum label. */
    record EnumLabel(long oid, long type, String typeName, String label) {
    }

    /**
     * A constraint: {@code kind} c (check), f (foreign key), u (unique), p (primary key), x (exclusion);
     * {@code index} the index it uses (0 for none), {@code referenced} a foreign key's referenced table.
     */
    record Constraint(long oid, long table, String name, char kind, boolean validated, long index, long referenced) {
    }

    /** User schemas: all but PostgreSQL's own. */
    private static final String USER_SCHEMAS = " n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'";

    /*
     * Each read is one query whose rows are locks (L), relations (R), columns (C), enum labels (E) and, for a
     * footprint, constraints (K) and the transaction's own scan counts of its tables (S), in
     * generic columns: kind, n1..n4 (numbers), t1..t3 (text), b1..b4 (booleans). Catalog names are
     * schema-qualified, so a user object named like one (public.pg_class) cannot stand in for it. Each comes in
     * two forms: every user schema (the default, no parameter), and the schemas of checkSchemas only (their
     * names the query's one parameter, an array, never SQL text).
     */
    private static final String LOCKS = "locked as (select relation, mode from pg_catalog.pg_locks"
            + " where pid = pg_catalog.pg_backend_pid() and locktype = 'relation' and granted"
            // user objects only (OIDs from 16384 up): the catalog reads of this very query lock system catalogs
            + " and relation >= 16384)";
    private static final String LOCK_ROWS = " select 'L' as kind, relation::bigint as n1, 0::bigint as n2,"
            + " 0::bigint as n3, 0 as n4, mode::text as t1, null::text as t2, null::text as t3, false as b1,"
            + " false as b2, false as b3, false as b4 from locked";
    private static final String RELATION_COLUMNS = " select 'R', c.oid::bigint, c.relfilenode::bigint,"
            + " coalesce(i.indrelid, 0)::bigint, 0, n.nspname::text, c.relname::text, c.relkind::text, false, false,"
            + " false, false from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
            + " left join pg_catalog.pg_index i on i.indexrelid = c.oid";
    private static final String NOT_EXTENSION_MEMBER = " and not exists (select 1 from pg_catalog.pg_depend d"
            + " where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid and d.deptype = 'e')";
    private static final String COLUMN_COLUMNS = " select 'C', a.attrelid::bigint, a.attnum::bigint,"
            + " a.atttypid::bigint, a.atttypmod, a.attname::text, null, null, a.attnotnull, a.atthasdef,"
            + " a.attisdropped, (a.attidentity <> '' or a.attgenerated <> '') from pg_catalog.pg_attribute a";
    private static final String CONSTRAINT_COLUMNS = " select 'K', k.oid::bigint, k.conrelid::bigint,"
            + " k.conindid::bigint, 0, k.conname::text, k.contype::text, k.confrelid::text, k.convalidated, false,"
            + " false, false from pg_catalog.pg_constraint k";

    /** Every user relation, column and enum label: the baseline, once per run. */
    private static final String WHOLE_CATALOG = wholeCatalog(false);
    private static final String WHOLE_CATALOG_OF_LISTED_SCHEMAS = wholeCatalog(true);
    /** What one migration locked (see {@link #footprint}). */
    private static final String FOOTPRINT = footprint(false);
    private static final String FOOTPRINT_OF_LISTED_SCHEMAS = footprint(true);

    /** The schema condition on {@code n} (a pg_namespace row). */
    private static String schemas(boolean listed) {
        return USER_SCHEMAS + (listed ? " and n.nspname::pg_catalog.text in (select name from wanted)" : "");
    }

    /** The common table expressions every read starts with: the listed schemas, the session's locks. */
    private static String with(boolean listed) {
        return "with " + (listed ? "wanted as (select pg_catalog.unnest(?::pg_catalog.text[]) as name), " : "") + LOCKS;
    }

    private static String enumRows(boolean listed) {
        return " select 'E', e.oid::bigint, e.enumtypid::bigint, 0, 0,"
                + " (n.nspname || '.' || t.typname)::text, e.enumlabel::text, null, false, false, false, false"
                + " from pg_catalog.pg_enum e join pg_catalog.pg_type t on t.oid = e.enumtypid"
                + " join pg_catalog.pg_namespace n on n.oid = t.typnamespace where" + schemas(listed);
    }

    private static String wholeCatalog(boolean listed) {
        return with(listed) + LOCK_ROWS
                + " union all" + RELATION_COLUMNS + " where c.relkind in ('r','p','v','m','S','f','i','I') and"
                + schemas(listed) + NOT_EXTENSION_MEMBER
                + " union all" + COLUMN_COLUMNS + " join pg_catalog.pg_class c on c.oid = a.attrelid"
                + " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
                + " where a.attnum > 0 and c.relkind in ('r','p','v','m','f') and" + schemas(listed)
                + " union all" + CONSTRAINT_COLUMNS + " join pg_catalog.pg_class c on c.oid = k.conrelid"
                + " join pg_catalog.pg_namespace n on n.oid = c.relnamespace where k.contype in ('c','f','u','p','x')"
                + " and" + schemas(listed)
                + " union all" + enumRows(listed);
    }

    /**
     * What one migration locked: those relations (and the indexes of those that are tables) and their columns,
     * found by index lookups on arrays of OIDs, so the cost follows the footprint, not the catalog.
     */
    private static String footprint(boolean listed) {
        return with(listed)
                + ", scope as (select distinct relation as oid from locked),"
                + " relation_scope as (select oid from scope union select indexrelid from pg_catalog.pg_index"
                + " where indrelid = any(array(select oid from scope))),"
                + " column_scope as (select c.oid from pg_catalog.pg_class c where c.oid = any(array(select oid from scope))"
                + " and c.relkind in ('r','p','v','m','f'))"
                + LOCK_ROWS
                + " union all" + RELATION_COLUMNS + " where c.oid = any(array(select oid from relation_scope))"
                + " and c.relkind in ('r','p','v','m','S','f','i','I') and" + schemas(listed) + NOT_EXTENSION_MEMBER
                + " union all" + COLUMN_COLUMNS + " where a.attrelid = any(array(select oid from column_scope))"
                + " and a.attnum > 0"
                + " union all" + CONSTRAINT_COLUMNS + " where k.conrelid = any(array(select oid from column_scope))"
                + " and k.contype in ('c','f','u','p','x')"
                // scans this transaction made of each table it locked: a validation, a SET NOT NULL or an index
                // build shows here even on an empty CI table
                + " union all select 'S', c.oid::bigint, pg_catalog.pg_stat_get_xact_numscans(c.oid), 0, 0, null,"
                + " null, null, false, false, false, false from pg_catalog.pg_class c"
                + " where c.oid = any(array(select oid from column_scope)) and c.relkind in ('r','m')"
                + " union all" + enumRows(listed);
    }

    /*
     * Every read runs under a savepoint with a bounded lock_timeout and is rolled back to it afterwards: a
     * catalog locked by someone else (VACUUM FULL pg_class) makes the check fail after 2 s instead of holding
     * the migration, a failing query never aborts the migration's transaction, and neither the setting nor the
     * catalog locks of the read outlive it. Three round trips: the savepoint and the setting, the query (a
     * prepared statement the driver keeps, planned once per connection), the rollback and the release.
     */
    private static final String SAVEPOINT = "locksafe_zdd";
    private static final String BEFORE_READ = "SAVEPOINT " + SAVEPOINT + "; SET LOCAL lock_timeout = '2s'";
    /*
     * The scan counts a backend reports are its pending ones, which include earlier transactions' until they
     * are flushed (at most once a second): asking PostgreSQL 15+ to flush at the next idle moment, after this
     * migration commits, makes the next migration's counts its own. PostgreSQL 12-14 cannot be asked, so
     * there the scan-based rules (L204, L205) are not judged.
     */
    private static final String FLUSH_SCAN_COUNTS = "; SELECT pg_catalog.pg_stat_force_next_flush()";
    private static final int FLUSHABLE_FROM = 15;
    private static final String AFTER_READ = "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT;

    /**
     * The migration's own locks on user relations and on types (an enum's labels change under a lock on its
     * type). The engine reads them at the end of each unit, with the restore of its timeouts; when it could
     * not, the check reads them here, under a savepoint, in one round trip: most migrations only create
     * objects, and those need no catalog read at all.
     */
    static final String OWN_LOCKS_QUERY = "select locktype, coalesce(relation, objid)::bigint"
            + " from pg_catalog.pg_locks where pid = pg_catalog.pg_backend_pid() and granted"
            + " and ((locktype = 'relation' and relation >= 16384)"
            + " or (locktype = 'object' and classid = 'pg_catalog.pg_type'::pg_catalog.regclass))";
    private static final String OWN_LOCKS = "SAVEPOINT " + SAVEPOINT + "; " + OWN_LOCKS_QUERY + "; RELEASE SAVEPOINT "
            + SAVEPOINT;

    /** The relations the running transaction holds a lock on, and whether it holds one on a type. */
    record OwnLocks(Set<Long> relations, boolean onType) {
    }

    static OwnLocks ownLocks(Connection connection) throws SQLException {
        OwnLocks own = new OwnLocks(Set.of(), false);
        try (java.sql.Statement st = connection.createStatement()) {
            boolean isResultSet = st.execute(OWN_LOCKS);
            while (isResultSet || st.getUpdateCount() != -1) {
                if (isResultSet) {
                    try (ResultSet rs = st.getResultSet()) {
                        own = ownLocks(rs);
                    }
                }
                isResultSet = st.getMoreResults();
            }
        } catch (SQLException e) {
            try {
                execute(connection, AFTER_READ);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        return own;
    }

    /** The rows of {@link #OWN_LOCKS_QUERY}. */
    static OwnLocks ownLocks(ResultSet rows) throws SQLException {
        Set<Long> relations = new HashSet<>();
        boolean onType = false;
        while (rows.next()) {
            if ("relation".equals(rows.getString(1))) {
                relations.add(rows.getLong(2));
            } else {
                onType = true;
            }
        }
        return new OwnLocks(relations, onType);
    }

    final Map<Long, Relation> relations = new HashMap<>();
    final Map<ColumnKey, Column> columns = new HashMap<>();
    final Map<Long, EnumLabel> enumLabels = new HashMap<>();
    final Map<Long, Constraint> constraints = new HashMap<>();
    /** The relations this session held a lock on when the snapshot was taken, with the modes it held. */
    final Set<Long> locked = new HashSet<>();
    final Map<Long, Set<String>> lockModes = new HashMap<>();
    /** Scans this transaction made of each table of a footprint. */
    final Map<Long, Long> scans = new HashMap<>();
    /** Whether {@link #scans} counts this transaction's scans only (PostgreSQL 15+, flushed between migrations). */
    boolean scansAreThisTransactions;

    private CatalogSnapshot() {
    }

    /** Reads the whole catalog on {@code connection}, inside whatever transaction it is in: the baseline. */
    static CatalogSnapshot take(Connection connection, CheckedSchemas schemas) throws SQLException {
        return read(connection, schemas.isAll() ? WHOLE_CATALOG : WHOLE_CATALOG_OF_LISTED_SCHEMAS, schemas);
    }

    /**
     * Reads what the running transaction holds a lock on (what it created, changed or dropped), those
     * relations (with the indexes of those that are tables) and their columns, and every enum label, in one
     * round trip. On 500 tables of 20 columns that is a few milliseconds; the whole catalog takes tens.
     */
    static CatalogSnapshot takeFootprint(Connection connection, CheckedSchemas schemas) throws SQLException {
        return read(connection, schemas.isAll() ? FOOTPRINT : FOOTPRINT_OF_LISTED_SCHEMAS, schemas);
    }

    private static CatalogSnapshot read(Connection connection, String query, CheckedSchemas schemas)
            throws SQLException {
        if (connection.getAutoCommit()) {
            // between the statements of a non-transactional migration: a transaction of its own, rolled back
            connection.setAutoCommit(false);
            try {
                execute(connection, "SET LOCAL lock_timeout = '2s'");
                return query(connection, query, schemas);
            } finally {
                try {
                    connection.rollback();
                } finally {
                    connection.setAutoCommit(true);
                }
            }
        }
        boolean flushable = connection.getMetaData().getDatabaseMajorVersion() >= FLUSHABLE_FROM;
        execute(connection, flushable ? BEFORE_READ + FLUSH_SCAN_COUNTS : BEFORE_READ);
        try {
            CatalogSnapshot snapshot = query(connection, query, schemas);
            snapshot.scansAreThisTransactions = flushable;
            return snapshot;
        } finally {
            execute(connection, AFTER_READ);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (java.sql.Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    private static CatalogSnapshot query(Connection connection, String query, CheckedSchemas schemas)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            if (!schemas.isAll()) {
                ps.setArray(1, connection.createArrayOf("text", schemas.names().toArray()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    }

    private static CatalogSnapshot read(ResultSet rs) throws SQLException {
        CatalogSnapshot s = new CatalogSnapshot();
        while (rs.next()) {
            switch (rs.getString(1)) {
                case "L" -> {
                    s.locked.add(rs.getLong(2));
                    s.lockModes.computeIfAbsent(rs.getLong(2), oid -> new HashSet<>()).add(rs.getString(6));
                }
                case "K" -> {
                    Constraint k = new Constraint(rs.getLong(2), rs.getLong(3), rs.getString(6),
                            rs.getString(7).charAt(0), rs.getBoolean(9), rs.getLong(4), Long.parseLong(rs.getString(8)));
                    s.constraints.put(k.oid(), k);
                }
                case "S" -> s.scans.put(rs.getLong(2), rs.getLong(3));
                case "R" -> {
                    Relation r = new Relation(rs.getLong(2), rs.getString(6), rs.getString(7),
                            rs.getString(8).charAt(0), rs.getLong(3), rs.getLong(4));
                    s.relations.put(r.oid(), r);
                }
                case "C" -> {
                    Column c = new Column(rs.getLong(2), rs.getInt(3), rs.getString(6), rs.getLong(4), rs.getInt(5),
                            rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12));
                    s.columns.put(c.key(), c);
                }
                default -> {
                    EnumLabel e = new EnumLabel(rs.getLong(2), rs.getLong(3), rs.getString(6), rs.getString(7));
                    s.enumLabels.put(e.oid(), e);
                }
            }
        }
        return s;
    }

    /**
     * This snapshot with what {@code footprint} says about the relations it locked: their entries, their
     * indexes' and their columns' replaced, gone ones removed; enum labels replaced.
     */
    CatalogSnapshot updatedWith(CatalogSnapshot footprint) {
        Set<Long> scope = footprint.locked;
        CatalogSnapshot s = new CatalogSnapshot();
        relations.forEach((oid, r) -> {
            if (!scope.contains(oid) && !(r.isIndex() && scope.contains(r.indexedTable()))) {
                s.relations.put(oid, r);
            }
        });
        s.relations.putAll(footprint.relations);
        columns.forEach((key, c) -> {
            if (!scope.contains(c.table())) {
                s.columns.put(key, c);
            }
        });
        s.columns.putAll(footprint.columns);
        s.enumLabels.putAll(footprint.enumLabels);
        constraints.forEach((oid, k) -> {
            if (!scope.contains(k.table())) {
                s.constraints.put(oid, k);
            }
        });
        s.constraints.putAll(footprint.constraints);
        return s;
    }

    /** The modes in which this session held a lock on {@code oid}. */
    Set<String> modes(long oid) {
        return lockModes.getOrDefault(oid, Set.of());
    }

    /** The columns of {@code table} by name, dropped ones left out. */
    Map<String, Column> columnsByName(long table) {
        Map<String, Column> byName = new HashMap<>();
        for (Column c : columns.values()) {
            if (c.table() == table && !c.dropped()) {
                byName.put(c.name(), c);
            }
        }
        return byName;
    }

    /** The relation named {@code schema.name} of one of {@code kinds}, if any. */
    Relation find(String schema, String name, char... kinds) {
        for (Relation r : relations.values()) {
            if (r.schema().equals(schema) && r.name().equals(name)) {
                for (char k : kinds) {
                    if (r.kind() == k) {
                        return r;
                    }
                }
            }
        }
        return null;
    }
}
