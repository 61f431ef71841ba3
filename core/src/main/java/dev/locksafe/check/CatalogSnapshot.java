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

    private static final String SCHEMAS = " n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'";

    private static final String RELATIONS = "select c.oid, n.nspname, c.relname, c.relkind::text, c.relfilenode,"
            + " coalesce(i.indrelid, 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " left join pg_index i on i.indexrelid = c.oid"
            + " where c.relkind in ('r','p','v','m','S','f','i','I') and" + SCHEMAS
            + " and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
            + " and d.objid = c.oid and d.deptype = 'e')";

    private static final String COLUMNS = "select a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod,"
            + " a.attnotnull, a.atthasdef, a.attisdropped, (a.attidentity <> '' or a.attgenerated <> '')"
            + " from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace"
            + " where a.attnum > 0 and c.relkind in ('r','p','v','m','f') and" + SCHEMAS;

    private static final String ENUM_LABELS = "select e.oid, e.enumtypid, n.nspname || '.' || t.typname, e.enumlabel"
            + " from pg_enum e join pg_type t on t.oid = e.enumtypid join pg_namespace n on n.oid = t.typnamespace"
            + " where" + SCHEMAS;

    final Map<Long, Relation> relations = new HashMap<>();
    final Map<ColumnKey, Column> columns = new HashMap<>();
    final Map<Long, EnumLabel> enumLabels = new HashMap<>();

    private CatalogSnapshot() {
    }

    /** Reads the catalog on {@code connection}, inside whatever transaction it is in. */
    static CatalogSnapshot take(Connection connection) throws SQLException {
        CatalogSnapshot s = new CatalogSnapshot();
        try (PreparedStatement ps = connection.prepareStatement(RELATIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Relation r = new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                        rs.getLong(5), rs.getLong(6));
                s.relations.put(r.oid(), r);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Column c = new Column(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getLong(4), rs.getInt(5),
                        rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9));
                s.columns.put(c.key(), c);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(ENUM_LABELS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                EnumLabel e = new EnumLabel(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4));
                s.enumLabels.put(e.oid(), e);
            }
        }
        return s;
    }

    /** The relations this session holds a lock on now: what the running transaction created, changed or dropped. */
    static Set<Long> lockedRelations(Connection connection) throws SQLException {
        Set<Long> oids = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement("select relation from pg_locks where pid ="
                + " pg_backend_pid() and locktype = 'relation' and granted and relation is not null");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                oids.add(rs.getLong(1));
            }
        }
        return oids;
    }

    /** The relations whose lock this session holds in {@code mode} (such as {@code ShareLock}). */
    static Set<Long> lockedRelations(Connection connection, String mode) throws SQLException {
        Set<Long> oids = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement("select relation from pg_locks where pid ="
                + " pg_backend_pid() and locktype = 'relation' and granted and mode = ?")) {
            ps.setString(1, mode);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oids.add(rs.getLong(1));
                }
            }
        }
        return oids;
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
