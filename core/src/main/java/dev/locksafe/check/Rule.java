package dev.locksafe.check;

/**
 * The rules of the ZDD check, with stable ids (B1xx backward-incompatible, L2xx lock-heavy, I3xx info),
 * names, default severities and the two-release recipe printed with each finding.
 */
public enum Rule {
    B101("drop-column", Severity.ERROR, "release N's code may still read or write the column",
            "release N stops reading and writing the column (and, if it still inserts rows, the column must be"
                    + " nullable or have a default); release N+1 drops it"),
    B102("drop-relation", Severity.ERROR, "release N's code may still use the table",
            "release N stops using the table (and its sequence); release N+1 drops it, after a backup"),
    B103("rename-column", Severity.ERROR, "release N's code reads and writes the column by its old name",
            "add the new column and keep both in sync (trigger or dual writes) and backfill; the next release"
                    + " reads the new column; the one after drops the old one (or keep the name in the ORM mapping)"),
    B104("rename-relation", Severity.ERROR, "release N's code uses the table by its old name",
            "rename and create a view with the old name in the same migration (simple views are updatable);"
                    + " drop the view once no release uses the old name"),
    B105("incompatible-type-change", Severity.ERROR,
            "release N's code and ORM mapping expect the old type",
            "add a column with the new type, write both and backfill in batches; the next release reads the new"
                    + " column; the one after drops the old one"),
    B106("set-not-null", Severity.WARNING, "release N's inserts that leave the column out fail",
            "release N writes the column on every insert; release N+1 backfills, adds CHECK (c IS NOT NULL) NOT"
                    + " VALID, validates it in a separate migration, then SET NOT NULL (no scan) and drops the CHECK"),
    B107("add-required-column", Severity.ERROR,
            "release N's inserts do not know the column and fail (on production data the ALTER itself fails"
                    + " while it passes on an empty CI table)",
            "add the column nullable or with a constant default (no rewrite) and write it; a later release"
                    + " backfills and sets NOT NULL as for B106"),
    B108("drop-default-of-not-null", Severity.ERROR, "release N's inserts that rely on the default fail",
            "release N writes the value explicitly; release N+1 drops the default"),
    B109("enum-label-renamed", Severity.ERROR, "release N writes and reads the old label",
            "add the new label; the next release writes it and reads both; backfill; then stop using the old one"),
    B110("view-changed", Severity.ERROR, "release N's queries on the view fail",
            "create the new view beside the old one; drop the old one once no release uses it"
                    + " (CREATE OR REPLACE VIEW may only append columns)"),
    L201("type-change-rewrite", Severity.WARNING,
            "the table and its indexes are rewritten under ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite",
            "add a column with the new type, backfill in batches, swap in a later release"),
    L202("add-column-rewrite", Severity.WARNING,
            "the new column's default (volatile, identity, serial or stored generated) rewrites the table under"
                    + " ACCESS EXCLUSIVE",
            "add the column without a default or with a constant one, then SET DEFAULT (no rewrite) and backfill"
                    + " in batches"),
    L203("table-rewrite", Severity.WARNING, "the table is rewritten under ACCESS EXCLUSIVE",
            "use pg_repack, REINDEX CONCURRENTLY or a copy-and-swap instead"),
    L204("validation-under-lock", Severity.WARNING,
            "the CHECK or FOREIGN KEY was validated by scanning the table while writes to it were blocked",
            "ADD CONSTRAINT ... NOT VALID in one migration, VALIDATE CONSTRAINT in a separate one (it takes only"
                    + " SHARE UPDATE EXCLUSIVE)"),
    L205("set-not-null-scan", Severity.WARNING,
            "SET NOT NULL scanned the whole table under ACCESS EXCLUSIVE: reads and writes wait for the scan",
            "add CHECK (c IS NOT NULL) NOT VALID, VALIDATE it in a separate migration, then SET NOT NULL (no scan"
                    + " on PostgreSQL 12+) and drop the CHECK"),
    L206("non-concurrent-index", Severity.WARNING,
            "the index build holds SHARE on the table: every write waits for the whole build",
            "CREATE INDEX CONCURRENTLY in its own non-transactional migration (LockSafe retries it and drops"
                    + " INVALID leftovers)"),
    L208("non-concurrent-index-drop", Severity.WARNING,
            "DROP INDEX holds ACCESS EXCLUSIVE on the table while it waits and runs",
            "DROP INDEX CONCURRENTLY in its own non-transactional migration"),
    L209("long-exclusive-hold", Severity.WARNING,
            "writes to the table (and, under ACCESS EXCLUSIVE, reads) queued for as long as the migration held the"
                    + " lock; on production data the work under it takes longer than on a CI database",
            "split the migration: take the strong lock in a short migration of its own, and backfill or do other"
                    + " work in batches in separate transactions; one DDL statement per transaction on hot tables"),
    L207("constraint-builds-index", Severity.WARNING,
            "the UNIQUE, PRIMARY KEY or EXCLUDE constraint built its index under ACCESS EXCLUSIVE",
            "CREATE UNIQUE INDEX CONCURRENTLY in its own non-transactional migration, then ADD CONSTRAINT ..."
                    + " USING INDEX (a brief lock); an exclusion constraint has no online path"),
    L210("multi-table-exclusive", Severity.INFO,
            "several tables were held under ACCESS EXCLUSIVE at once: more queries queue, and deadlocks with the"
                    + " application become likelier",
            "one table per migration; lock parent tables before child tables"),
    I303("type-widened", Severity.INFO, "a binary-compatible widening: no rewrite, the lock was brief",
            "none needed");

    private final String ruleName;
    private final Severity defaultSeverity;
    private final String impact;
    private final String recipe;

    Rule(String ruleName, Severity defaultSeverity, String impact, String recipe) {
        this.ruleName = ruleName;
        this.defaultSeverity = defaultSeverity;
        this.impact = impact;
        this.recipe = recipe;
    }

    /**
     * The rule with id {@code id}, in any letter case.
     *
     * @throws IllegalArgumentException naming the id and the known rules
     */
    public static Rule parse(String id) {
        for (Rule r : values()) {
            if (r.name().equalsIgnoreCase(id.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rule " + id.trim() + ": known rules are "
                + java.util.Arrays.stream(values()).map(Rule::id).collect(java.util.stream.Collectors.joining(", ")));
    }

    /** The stable id, such as {@code B101}. */
    public String id() {
        return name();
    }

    /** The rule's name, such as {@code drop-column}. */
    public String ruleName() {
        return ruleName;
    }

    /** The severity unless configured otherwise. */
    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    /** What release N (or production traffic) would hit. */
    public String impact() {
        return impact;
    }

    /** How to make the change without downtime, over two (or more) releases. */
    public String recipe() {
        return recipe;
    }
}
