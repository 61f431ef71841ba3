package dev.locksafe.check;

import dev.locksafe.check.CatalogSnapshot.Column;
import dev.locksafe.check.CatalogSnapshot.ColumnKey;
import dev.locksafe.check.CatalogSnapshot.EnumLabel;
import dev.locksafe.check.CatalogSnapshot.Relation;
import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import dev.locksafe.AttemptListeners;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.internal.UnitEndRead;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The zero-downtime-deployment check of one migration run: judges each migration from what PostgreSQL
 * records (the catalog before and after, the migration's own locks), against the <em>baseline</em>, the
 * schema at the start of the run. An object created earlier in the same run has no production code using
 * it, so a column added and dropped in one release is not a finding; a B0 column made NOT NULL is.
 *
 * <p>Usage by an adapter, on the migration's own connection, inside its transaction:
 * {@link #beforeMigration} before the migration runs, {@link #afterMigration} after it ran and before
 * commit. Every query runs under a savepoint with a bounded lock_timeout and is rolled back to it, so a
 * failing or blocked catalog query never aborts or holds the migration's transaction. Not thread-safe: one
 * instance per run.
 */
public final class ZddCheck {

    // PostgreSQL type OIDs of the types whose typmod widening is binary compatible
    private static final long TEXT = 25;
    private static final long VARCHAR = 1043;
    private static final long NUMERIC = 1700;
    private static final Set<Long> PRECISION_TYPES = Set.of(1083L, 1114L, 1184L, 1186L, 1266L); // time, timestamp(tz), interval, timetz
    private static final long VARBIT = 1562;

    private final CheckMode mode;
    private final Set<String> ignoredTables;
    private final AllowList allowList;
    /** The schemas read and judged. */
    private final CheckedSchemas schemas;
    private final SeverityOverrides severities;
    private final ZddReport report;
    private final String tool;
    /** Told about every finding, besides the JVM-wide listeners; an application's own (its metrics). */
    private final List<AttemptListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Listeners that threw, said in the next {@link #lines}. */
    private final List<String> listenerFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Rule L209's threshold. */
    private final Duration maxExclusiveHold;
    /** The write-blocking locks the running migration's units were seen holding, by relation OID. */
    private final Map<Long, AttemptEvent.HeldLock> heldLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private CatalogSnapshot baseline;
    private CatalogSnapshot model;
    /**
     * The locks the transaction held at the end of the migration's last unit, read by the engine; {@code null}
     * when it read none since {@link #beforeMigration}.
     */
    private volatile CatalogSnapshot.OwnLocks locksAtUnitEnd;

    private ZddCheck(String tool, LockSafeSettings settings, Set<String> ignoredTables) {
        this.tool = tool;
        this.mode = settings.check();
        this.ignoredTables = ignoredTables.stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.allowList = settings.checkAllow();
        this.schemas = settings.checkSchemas();
        this.severities = settings.checkSeverity();
        this.report = settings.checkReport().map(dir -> new ZddReport(dir, tool, mode)).orElse(null);
        this.maxExclusiveHold = settings.checkMaxExclusiveHold();
    }

    /**
     * A listener for the engine that runs the migrations ({@link dev.locksafe.LockSafe.Builder#addListener}):
     * it hears which write-blocking locks each successful unit was seen holding, and since when
     * ({@link AttemptEvent#heldLocks()}), for rule L209. Without it (or without a blocker-lookup connection),
     * L209 is not judged. It also has the engine read, at the end of each unit and in the same round trip as
     * the unit's last statement of its own, which relations the transaction holds a lock on, which
     * {@link #afterMigration} would otherwise query: call that right after the migration's last unit.
     */
    public AttemptListener heldLocksListener() {
        return new LockListener();
    }

    /**
     * Hears the locks each unit held (rule L209), and reads, in the engine's own round trip at the end of
     * each unit, the relations the migration's transaction holds a lock on: {@link #afterMigration} then
     * needs no query for a migration that only created objects.
     */
    private final class LockListener implements AttemptListener, UnitEndRead {
        @Override
        public void onSuccess(AttemptEvent event) {
            for (AttemptEvent.HeldLock lock : event.heldLocks()) {
                // a migration of several units (Liquibase changes) holds a lock from the first that took it
                heldLocks.merge(lock.relation(), lock, (was, now) -> was.since().isAfter(now.since()) ? now : was);
            }
        }

        @Override
        public String sql() {
            return CatalogSnapshot.OWN_LOCKS_QUERY;
        }

        @Override
        public void read(ResultSet rows) throws SQLException {
            locksAtUnitEnd = CatalogSnapshot.ownLocks(rows);
        }

        @Override
        public String toString() {
            return "ZDD check lock listener";
        }
    }

    /**
     * A check for one run, as {@code settings} say ({@code check}, {@code checkAllow}, {@code checkSeverity},
     * {@code checkReport}).
     *
     * @param tool          {@code flyway} or {@code liquibase}, for the reports
     * @param ignoredTables the host tool's own tables ({@code flyway_schema_history}, {@code databasechangelog}),
     *                      by bare or schema-qualified name: never judged
     */
    public static ZddCheck forRun(String tool, LockSafeSettings settings, Set<String> ignoredTables) {
        return new ZddCheck(Objects.requireNonNull(tool, "tool"), settings, ignoredTables);
    }

    /**
     * Also tells {@code listener} about every finding of this run (its {@link AttemptListener#onFinding}),
     * besides the listeners registered JVM-wide with {@link AttemptListeners}: how an application counts
     * the findings of its own runs.
     */
    public ZddCheck addListener(AttemptListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** A check for one run in {@code mode}, with the other check settings at their defaults. */
    public static ZddCheck forRun(CheckMode mode, Set<String> ignoredTables) {
        return forRun("api", LockSafeSettings.builder().check(mode).build(), ignoredTables);
    }

    /** The mode. */
    public CheckMode mode() {
        return mode;
    }

    /** Whether the check runs at all. */
    public boolean active() {
        return mode != CheckMode.OFF;
    }

    /** Before a migration runs: the first call of the run takes the baseline. */
    public void beforeMigration(Connection connection) throws SQLException {
        heldLocks.clear();
        locksAtUnitEnd = null;
        if (active() && baseline == null) {
            baseline = CatalogSnapshot.take(connection, schemas);
            model = baseline;
        }
    }

    /**
     * Judges the migration that just ran on {@code connection}, inside its transaction, before commit: right
     * after its last unit when the engine has this check's {@link #heldLocksListener()}, which read the
     * migration's locks at the end of that unit (a statement in between would go unseen).
     *
     * @param migration the migration's name for the findings
     * @param markers   its allow markers
     * @return the findings, allowed ones included, in a stable order
     */
    public List<Finding> afterMigration(Connection connection, String migration, AllowMarkers markers)
            throws SQLException {
        if (!active()) {
            return List.of();
        }
        if (baseline == null) {
            throw new IllegalStateException("there is no baseline to judge it against (reading it failed,"
                    + " or beforeMigration was not called)");
        }
        Instant judgedAt = Instant.now();
        Map<Long, AttemptEvent.HeldLock> held = Map.copyOf(heldLocks);
        heldLocks.clear();
        CatalogSnapshot.OwnLocks own = locksAtUnitEnd;
        locksAtUnitEnd = null;
        if (own == null) {
            own = CatalogSnapshot.ownLocks(connection);
        }
        if (!own.onType() && own.relations().stream().noneMatch(model.relations::containsKey)) {
            // it only created objects: nothing in production uses them, and later migrations see them as new
            if (report != null) {
                report.judged(migration, List.of());
            }
            return List.of();
        }
        Judgement j = new Judgement(migration, CatalogSnapshot.takeFootprint(connection, schemas));
        j.judge();
        j.judgeLongHolds(held, judgedAt);
        if (j.hasTypeChanges()) {
            underSavepoint(connection, () -> {
                j.describeTypes(connection);
                return null;
            });
        }
        model = model.updatedWith(j.after);
        // sorted only now: describeTypes finds its findings by position
        j.findings.sort((a, b) -> (a.rule().id() + a.object()).compareTo(b.rule().id() + b.object()));
        List<Finding> findings = new ArrayList<>();
        for (Finding f : j.findings) {
            if (severities.off(f.rule())) {
                continue;
            }
            Severity severity = severities.severity(f.rule(), f.severity());
            Finding judged = severity == f.severity() ? f
                    : new Finding(f.rule(), severity, f.migration(), f.object(), f.detail(), null);
            String reason = markers.reason(f.rule());
            if (reason == null) {
                reason = allowList.reason(judged);
            }
            findings.add(reason == null ? judged : judged.allow(reason));
        }
        if (report != null) {
            report.judged(migration, findings);
        }
        tell(findings);
        return List.copyOf(findings);
    }

    /**
     * After a migration that was not judged (one that ran outside a transaction and committed statement by
     * statement): its changes become part of the state the next migration is compared with, so they are
     * not attributed to it.
     */
    public void skipMigration(Connection connection, String migration) throws SQLException {
        heldLocks.clear();
        locksAtUnitEnd = null;
        if (!active()) {
            return;
        }
        if (baseline != null) {
            model = CatalogSnapshot.take(connection, schemas);
        }
        if (report != null) {
            report.notJudged(migration);
        }
    }

    /** Each listener hears each finding; one that throws is said in the next lines and stops nothing. */
    private void tell(List<Finding> findings) {
        List<AttemptListener> all = new ArrayList<>(listeners);
        all.addAll(AttemptListeners.current());
        for (AttemptListener listener : all) {
            for (Finding f : findings) {
                try {
                    listener.onFinding(tool, f);
                } catch (RuntimeException e) {
                    listenerFailures.add("LockSafe ZDD: listener " + listener + " failed on a finding of "
                            + f.migration() + ": " + e);
                }
            }
        }
    }

    /** One line of the check's output, with the level to log it at ({@link Severity#ERROR} = error). */
    public record Line(Severity level, String text) {
    }

    /**
     * What to log about one migration's judgement: each finding at its level (an error finding is logged as
     * an error only when it fails the migration, as a warning in {@code warn} mode, as information when
     * allowed), then each allow marker that matched nothing, so stale markers do not pile up.
     */
    public List<Line> lines(String migration, List<Finding> findings, AllowMarkers markers) {
        List<Line> lines = new ArrayList<>();
        for (String failure : listenerFailures) {
            lines.add(new Line(Severity.WARNING, failure));
        }
        listenerFailures.clear();
        for (Finding f : findings) {
            Severity level = f.severity();
            if (f.allowed()) {
                level = Severity.INFO;
            } else if (level == Severity.ERROR && mode != CheckMode.FAIL) {
                level = Severity.WARNING;
            }
            lines.add(new Line(level, f.describe()));
        }
        for (Rule rule : markers.rules()) {
            if (findings.stream().noneMatch(f -> f.rule() == rule)) {
                lines.add(new Line(Severity.WARNING, "LockSafe ZDD: " + migration + " has an allow marker for "
                        + rule.id() + " but the check found no " + rule.id() + " in it: remove the stale marker"));
            }
        }
        return lines;
    }

    /** Whether {@code findings} fail the migration: {@code fail} mode and an error finding not allowed. */
    public boolean fails(List<Finding> findings) {
        return mode == CheckMode.FAIL && findings.stream().anyMatch(Finding::fails);
    }

    /**
     * Throws {@link ZddCheckFailedException} when {@link #fails(List) findings fail} the migration: for the
     * adapter to wrap in its host tool's exception, which rolls the migration back.
     */
    public void throwIfFailing(String migration, List<Finding> findings) {
        if (fails(findings)) {
            throw new ZddCheckFailedException(migration, findings);
        }
    }

    /** The message a failing migrate ends with: every error finding of the migration, and the ways out. */
    public static String failureMessage(String migration, List<Finding> findings) {
        List<Finding> failing = findings.stream().filter(Finding::fails).toList();
        StringBuilder b = new StringBuilder("LockSafe ZDD check failed for ").append(migration).append(": ")
                .append(failing.size()).append(failing.size() == 1 ? " backward-incompatible change" : " backward-incompatible changes")
                .append(" (the migration was rolled back):");
        for (Finding f : failing) {
            b.append("\n  ").append(f.describe());
        }
        return b.append("\nAccept a deliberate change with its marker in the migration, or run with check=warn.")
                .toString();
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private static <T> T underSavepoint(Connection connection, SqlWork<T> work) throws SQLException {
        if (connection.getAutoCommit()) {
            return work.run();
        }
        Savepoint savepoint = connection.setSavepoint();
        try {
            T result = work.run();
            connection.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback(savepoint);
            throw e;
        }
    }

    /** The judgement of one migration: what changed between the model and now, on what the migration locked. */
    private final class Judgement {
        final String migration;
        final CatalogSnapshot after;
        final Set<Long> locked;
        final List<Finding> findings = new ArrayList<>();
        /** Type changes still to be described with format_type: finding index, old type, new type. */
        private final List<long[]> typeChanges = new ArrayList<>();

        Judgement(String migration, CatalogSnapshot after) {
            this.migration = migration;
            this.after = after;
            this.locked = after.locked;
        }

        boolean hasTypeChanges() {
            return !typeChanges.isEmpty();
        }

        private boolean ignored(Relation r) {
            return ignoredTables.contains(r.name().toLowerCase(Locale.ROOT))
                    || ignoredTables.contains(r.qualified().toLowerCase(Locale.ROOT));
        }

        private void add(Rule rule, Severity severity, String object, String detail) {
            findings.add(new Finding(rule, severity, migration, object, detail, null));
        }

        void judge() {
            for (long oid : locked) {
                judgeRelation(oid);
            }
            judgeExclusiveTables();
            judgeEnumLabels();
        }

        private void judgeRelation(long oid) {
            Relation inBaseline = baseline.relations.get(oid);
            Relation before = model.relations.get(oid);
            Relation now = after.relations.get(oid);
            if (before == null) {
                if (now != null && now.isIndex()) {
                    judgeNewIndex(now);
                }
                return; // created in this migration: nothing in production uses it
            }
            if (inBaseline == null || ignored(before)) {
                return; // created earlier in this run
            }
            if (now == null) {
                judgeGone(before);
                return;
            }
            if (!now.name().equals(before.name()) || !now.schema().equals(before.schema())) {
                judgeRename(before, now);
            }
            if (now.isTable() || now.kind() == 'm') {
                judgeColumns(now);
                judgeConstraints(now);
            }
            if (now.isView()) {
                judgeViewColumns(before, now);
            }
        }

        private void judgeGone(Relation before) {
            if (before.isIndex()) {
                Relation table = after.relations.get(before.indexedTable());
                // ALTER COLUMN TYPE re-creates an index under a new OID with the same name: not a drop
                if (table != null && after.find(before.schema(), before.name(), 'i', 'I') == null) {
                    add(Rule.L208, Rule.L208.defaultSeverity(), before.qualified(), "on " + table.qualified());
                }
                return;
            }
            if (before.isView()) {
                Relation recreated = after.find(before.schema(), before.name(), 'v');
                if (recreated == null) {
                    add(Rule.B110, Severity.ERROR, before.qualified(), "view dropped");
                } else {
                    judgeViewColumns(before, recreated);
                }
                return;
            }
            if (before.kind() == 'S' && ownedByDroppedTable(before)) {
                return; // the table's own sequence goes with it: B102 names the table
            }
            add(Rule.B102, Severity.ERROR, before.qualified(), kindName(before.kind()) + " dropped");
        }

        private boolean ownedByDroppedTable(Relation sequence) {
            // a serial/identity sequence is locked and dropped with its table, which is reported instead
            for (long oid : locked) {
                Relation r = model.relations.get(oid);
                if (r != null && r.isTable() && !after.relations.containsKey(oid)
                        && sequence.name().startsWith(r.name() + "_")) {
                    return true;
                }
            }
            return false;
        }

        private void judgeRename(Relation before, Relation now) {
            if (now.isIndex()) {
                return; // an index name is not used by application code
            }
            Relation shim = after.find(before.schema(), before.name(), 'v');
            Rule rule = before.isView() ? Rule.B110 : Rule.B104;
            if (shim != null && !before.isView()) {
                add(rule, Severity.INFO, before.qualified(), "renamed to " + now.qualified()
                        + ", with a view of the old name for release N");
            } else {
                add(rule, Severity.ERROR, before.qualified(), "renamed to " + now.qualified());
            }
        }

        private void judgeColumns(Relation table) {
            Relation before = model.relations.get(table.oid());
            boolean rewritten = table.filenode() != 0 && before.filenode() != table.filenode();
            boolean typeChanged = false;
            boolean columnAdded = false;
            for (Column now : after.columns.values()) {
                if (now.table() != table.oid()) {
                    continue;
                }
                ColumnKey key = now.key();
                Column was = model.columns.get(key);
                Column inBaseline = baseline.columns.get(key);
                String object = table.qualified() + "." + (was != null ? was.name() : now.name());
                if (was == null) {
                    if (!now.dropped()) {
                        columnAdded = true;
                        if (now.notNull() && !now.hasDefault() && !now.identityOrGenerated()) {
                            add(Rule.B107, Severity.ERROR, table.qualified() + "." + now.name(), "NOT NULL, no default");
                        }
                    }
                    continue;
                }
                if (was.dropped()) {
                    continue;
                }
                if (inBaseline == null || inBaseline.dropped()) {
                    // added earlier in this run: only making it required matters to release N's inserts
                    if (!now.dropped() && !was.notNull() && now.notNull() && !now.hasDefault()) {
                        add(Rule.B106, Severity.ERROR, object, "added in this release and made NOT NULL without a default");
                    }
                    continue;
                }
                if (now.dropped()) {
                    add(Rule.B101, Severity.ERROR, object, null);
                    continue;
                }
                if (!now.name().equals(was.name())) {
                    add(Rule.B103, Severity.ERROR, object, "renamed to " + now.name());
                }
                if (now.type() != was.type() || now.typmod() != was.typmod()) {
                    typeChanged = true;
                    Rule rule = widening(was, now) ? Rule.I303 : Rule.B105;
                    add(rule, rule.defaultSeverity(), object, null);
                    typeChanges.add(new long[] {findings.size() - 1, was.type(), was.typmod(), now.type(), now.typmod()});
                }
                if (!was.notNull() && now.notNull()) {
                    add(Rule.B106, Severity.WARNING, object, "SET NOT NULL on an existing column");
                    if (scanned(table)) {
                        // PostgreSQL 12+ skips the scan when a valid CHECK (c IS NOT NULL) proves it
                        add(Rule.L205, Severity.WARNING, object, "the table was scanned under ACCESS EXCLUSIVE");
                    }
                }
                if (was.notNull() && was.hasDefault() && !now.hasDefault()) {
                    add(Rule.B108, Severity.ERROR, object, "default dropped from a NOT NULL column");
                }
            }
            if (rewritten) {
                Rule rule = typeChanged ? Rule.L201 : columnAdded ? Rule.L202 : Rule.L203;
                add(rule, Severity.WARNING, table.qualified(), "table rewritten (new relfilenode)");
            }
        }

        /** Whether this transaction scanned {@code table} (a validation, a SET NOT NULL, an index build). */
        private boolean scanned(Relation table) {
            return after.scansAreThisTransactions && after.scans.getOrDefault(table.oid(), 0L) > 0;
        }

        /** Whether this transaction holds a lock on {@code oid} that blocks writes (SHARE ROW EXCLUSIVE or stronger). */
        private boolean blocksWrites(long oid) {
            Set<String> modes = after.modes(oid);
            return modes.contains("ShareRowExclusiveLock") || modes.contains("ExclusiveLock")
                    || modes.contains("AccessExclusiveLock");
        }

        /** New or newly validated constraints of a production table, and the locks they were validated under. */
        private void judgeConstraints(Relation table) {
            for (CatalogSnapshot.Constraint now : after.constraints.values()) {
                if (now.table() != table.oid()) {
                    continue;
                }
                CatalogSnapshot.Constraint was = model.constraints.get(now.oid());
                String object = table.qualified() + "." + now.name();
                boolean checkOrForeignKey = now.kind() == 'c' || now.kind() == 'f';
                if (checkOrForeignKey && now.validated() && (was == null || !was.validated())
                        && blocksWrites(table.oid()) && scanned(table)) {
                    add(Rule.L204, Severity.WARNING, object, (now.kind() == 'c' ? "CHECK" : "FOREIGN KEY")
                            + " validated while writes were blocked");
                }
                if (was == null && (now.kind() == 'u' || now.kind() == 'p' || now.kind() == 'x')
                        && now.index() != 0 && !model.relations.containsKey(now.index())) {
                    add(Rule.L207, Severity.WARNING, object, "its index was built under the constraint's lock");
                }
            }
        }

        /** Whether {@code index} is the index of a constraint added in this migration (reported as L207). */
        private boolean buildsForAConstraint(Relation index) {
            return after.constraints.values().stream()
                    .anyMatch(k -> k.index() == index.oid() && !model.constraints.containsKey(k.oid()));
        }

        /**
         * Production tables kept locked against writes for longer than {@code checkMaxExclusiveHold}: from the
         * first look that saw the lock to the judgement, which comes just before commit (the lock ends there).
         */
        void judgeLongHolds(Map<Long, AttemptEvent.HeldLock> held, Instant judged) {
            for (AttemptEvent.HeldLock lock : held.values()) {
                Relation r = after.relations.get(lock.relation());
                if (r == null || (r.kind() != 'r' && r.kind() != 'p') || !baseline.relations.containsKey(r.oid())
                        || ignored(r)) {
                    continue; // an index, a relation new in this run, the host tool's own table
                }
                Duration hold = Duration.between(lock.since(), judged);
                if (hold.compareTo(maxExclusiveHold) > 0) {
                    add(Rule.L209, Severity.WARNING, r.qualified(), lockModeName(lock.mode()) + " held for at least "
                            + seconds(hold) + ", over checkMaxExclusiveHold=" + seconds(maxExclusiveHold));
                }
            }
        }

        /** Several production tables under ACCESS EXCLUSIVE in one migration: more to queue, and to deadlock. */
        private void judgeExclusiveTables() {
            List<String> tables = new ArrayList<>();
            for (long oid : locked) {
                Relation r = after.relations.get(oid);
                if (r != null && (r.kind() == 'r' || r.kind() == 'p') && baseline.relations.containsKey(oid)
                        && !ignored(r) && after.modes(oid).contains("AccessExclusiveLock")) {
                    tables.add(r.qualified());
                }
            }
            if (tables.size() > 1) {
                java.util.Collections.sort(tables);
                add(Rule.L210, Severity.INFO, String.join(", ", tables), tables.size() + " tables under ACCESS EXCLUSIVE");
            }
        }

        private void judgeViewColumns(Relation before, Relation now) {
            Map<String, Column> was = model.columnsByName(before.oid());
            Map<String, Column> is = after.columnsByName(now.oid());
            for (Column c : was.values()) {
                Column n = is.get(c.name());
                if (n == null) {
                    add(Rule.B110, Severity.ERROR, before.qualified() + "." + c.name(), "view column removed");
                } else if (n.type() != c.type() || n.typmod() != c.typmod()) {
                    add(Rule.B110, Severity.ERROR, before.qualified() + "." + c.name(), "view column type changed");
                }
            }
        }

        private void judgeNewIndex(Relation index) {
            Relation table = model.relations.get(index.indexedTable());
            if (table == null || !baseline.relations.containsKey(table.oid()) || ignored(table)) {
                return; // an index on a table created in this run
            }
            if (model.find(index.schema(), index.name(), 'i', 'I') != null) {
                return; // re-created under a new OID by ALTER COLUMN TYPE
            }
            if (after.modes(table.oid()).contains("ShareLock") && !buildsForAConstraint(index)) {
                add(Rule.L206, Severity.WARNING, index.qualified(), "built on " + table.qualified() + " under SHARE lock");
            }
        }

        private void judgeEnumLabels() {
            for (EnumLabel now : after.enumLabels.values()) {
                EnumLabel was = model.enumLabels.get(now.oid());
                if (was != null && baseline.enumLabels.containsKey(now.oid()) && !was.label().equals(now.label())) {
                    add(Rule.B109, Severity.ERROR, now.typeName() + " '" + was.label() + "'", "renamed to '" + now.label() + "'");
                }
            }
        }

        /** Writes "integer -> bigint" into each type-change finding, with the server's own type names. */
        void describeTypes(Connection connection) throws SQLException {
            if (typeChanges.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = connection.prepareStatement("select pg_catalog.format_type(?, ?),"
                    + " pg_catalog.format_type(?, ?)")) {
                for (long[] change : typeChanges) {
                    ps.setLong(1, change[1]);
                    ps.setInt(2, (int) change[2]);
                    ps.setLong(3, change[3]);
                    ps.setInt(4, (int) change[4]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        int i = (int) change[0];
                        Finding f = findings.get(i);
                        findings.set(i, new Finding(f.rule(), f.severity(), f.migration(), f.object(),
                                rs.getString(1) + " -> " + rs.getString(2), null));
                    }
                }
            }
        }
    }

    /** Whether changing {@code was} to {@code now} only widens the same type (no rewrite, old values fit). */
    static boolean widening(Column was, Column now) {
        long from = was.type();
        long to = now.type();
        int fromMod = was.typmod();
        int toMod = now.typmod();
        if (from == VARCHAR && to == TEXT) {
            return true;
        }
        if (from != to) {
            return false;
        }
        if (toMod == -1) {
            return true; // the limit removed
        }
        if (fromMod == -1) {
            return false;
        }
        if (from == VARCHAR || from == VARBIT) {
            return toMod >= fromMod;
        }
        if (from == NUMERIC) {
            int fromPrecision = (fromMod - 4) >> 16;
            int fromScale = (fromMod - 4) & 0xffff;
            int toPrecision = (toMod - 4) >> 16;
            int toScale = (toMod - 4) & 0xffff;
            return toScale == fromScale && toPrecision >= fromPrecision;
        }
        if (PRECISION_TYPES.contains(from)) {
            return (toMod & 0xffff) >= (fromMod & 0xffff) && (toMod >> 16) == (fromMod >> 16);
        }
        return false;
    }

    private static String kindName(char kind) {
        switch (kind) {
            case 'r':
                return "table";
            case 'p':
                return "partitioned table";
            case 'm':
                return "materialized view";
            case 'S':
                return "sequence";
            case 'f':
                return "foreign table";
            default:
                return "relation";
        }
    }

    /** {@code AccessExclusiveLock} as PostgreSQL's documentation names it: {@code ACCESS EXCLUSIVE}. */
    static String lockModeName(String mode) {
        String words = mode.endsWith("Lock") ? mode.substring(0, mode.length() - 4) : mode;
        return words.replaceAll("(?<=[a-z])(?=[A-Z])", " ").toUpperCase(Locale.ROOT);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
