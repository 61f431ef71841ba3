package dev.locksafe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.testing.PostgresExtension;
import dev.locksafe.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ZDD check under Liquibase, on a real PostgreSQL: release N's changesets are applied first, then the
 * next release's run with the check, in formatted SQL, XML and YAML.
 */
@ExtendWith(PostgresExtension.class)
class ZddCheckLiquibaseTest {

    private static final String SQL_HEAD = "--liquibase formatted sql\n";
    private static final String RELEASE_N = SQL_HEAD + "--changeset dev:1\n"
            + "create table orders (id bigint primary key, note text, qty int);\n";
    private static final String XML_HEAD = "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\""
            + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
            + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd\">\n";

    private static Map<String, String> check(String mode) {
        return Map.of("liquibase.locksafe.check", mode);
    }

    private static LiquibaseRunner releaseN(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = new LiquibaseRunner(db).file("release-n.sql", RELEASE_N);
        liquibase.update("release-n.sql", check("off"));
        return liquibase;
    }

    private static long changelogRows(TestDatabase db, String id) {
        return db.queryLong("select count(*) from databasechangelog where id = '" + id + "'");
    }

    @Test
    void droppingABaselineColumnFailsTheChangesetAndLeavesSchemaAndChangelogAsBefore(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("release-n.sql", RELEASE_N
                + "--changeset dev:2\nalter table orders drop column note;\n");
        assertThatThrownBy(() -> liquibase.update("release-n.sql", check("fail")))
                .hasStackTraceContaining("LockSafe ZDD check failed for release-n.sql::2::dev")
                .hasStackTraceContaining("B101 drop-column public.orders.note");
        assertThat(db.hasColumn("orders", "note")).isTrue();
        assertThat(changelogRows(db, "2")).isZero();
        assertThat(liquibase.console()).contains("ERROR: LockSafe ZDD: release-n.sql::2::dev B101 drop-column");
    }

    @Test
    void anXmlChangeTypeIsJudgedFromTheCatalogAndWarnModeAppliesIt(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("next.xml", XML_HEAD
                + "<include file=\"release-n.sql\"/>\n"
                + "<changeSet id=\"2\" author=\"dev\"><renameColumn tableName=\"orders\" oldColumnName=\"qty\""
                + " newColumnName=\"quantity\"/></changeSet>\n</databaseChangeLog>\n");
        liquibase.update("next.xml", check("warn"));
        assertThat(liquibase.console()).contains("WARNING: LockSafe ZDD: next.xml::2::dev B103 rename-column"
                + " public.orders.qty (renamed to quantity)");
        assertThat(db.hasColumn("orders", "quantity")).isTrue();
        assertThat(changelogRows(db, "2")).isOne();
    }

    @Test
    void aYamlChangesetAddingARequiredColumnFails(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("next.yaml", "databaseChangeLog:\n"
                + "  - include:\n      file: release-n.sql\n"
                + "  - changeSet:\n      id: 2\n      author: dev\n      changes:\n"
                + "        - addColumn:\n            tableName: orders\n            columns:\n"
                + "              - column:\n                  name: owner\n                  type: text\n"
                + "                  constraints:\n                    nullable: false\n");
        assertThatThrownBy(() -> liquibase.update("next.yaml", check("fail")))
                .hasStackTraceContaining("B107 add-required-column public.orders.owner");
        assertThat(db.hasColumn("orders", "owner")).isFalse();
    }

    @Test
    void aColumnAddedAndDroppedInTheSameReleaseIsNotAFinding(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("release-n.sql", RELEASE_N
                + "--changeset dev:2\nalter table orders add column tmp text;\n"
                + "--changeset dev:3\nalter table orders drop column tmp;\n");
        liquibase.update("release-n.sql", check("fail"));
        assertThat(liquibase.console()).doesNotContain("LockSafe ZDD");
        assertThat(changelogRows(db, "3")).isOne();
    }

    @Test
    void allowMarkersWorkInAFormattedSqlCommentAndInAnXmlComment(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("release-n.sql", RELEASE_N
                + "--changeset dev:2\n--comment: locksafe:allow B101 reason: note unused since release 41\n"
                + "alter table orders drop column note;\n")
                .file("next.xml", XML_HEAD + "<include file=\"release-n.sql\"/>\n"
                + "<changeSet id=\"3\" author=\"dev\"><comment>locksafe:allow B103 reason: mapped by name in N</comment>"
                + "<renameColumn tableName=\"orders\" oldColumnName=\"qty\" newColumnName=\"quantity\"/></changeSet>\n"
                + "</databaseChangeLog>\n");
        liquibase.update("next.xml", check("fail"));
        assertThat(liquibase.console())
                .contains("B101 drop-column public.orders.note: allowed by its marker, reason: note unused since release 41")
                .contains("B103 rename-column public.orders.qty (renamed to quantity): allowed by its marker");
        assertThat(changelogRows(db, "3")).isOne();
    }

    /**
     * L209 across the changes of one changeset: each change is its own LockSafe unit, and the lock taken by the
     * first is held through the second's work until the changeset commits.
     */
    @Test
    void aLockTakenByOneChangeAndHeldThroughTheNextChangesWorkIsALongHold(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("next.xml", XML_HEAD
                + "<include file=\"release-n.sql\"/>\n"
                + "<changeSet id=\"2\" author=\"dev\"><addColumn tableName=\"orders\"><column name=\"a\" type=\"int\"/>"
                + "</addColumn><sql>select pg_sleep(2)</sql></changeSet>\n"
                + "<changeSet id=\"3\" author=\"dev\"><sql>select pg_sleep(2)</sql><addColumn tableName=\"orders\">"
                + "<column name=\"b\" type=\"int\"/></addColumn></changeSet>\n</databaseChangeLog>\n");
        liquibase.update("next.xml", Map.of("liquibase.locksafe.check", "fail",
                "liquibase.locksafe.checkMaxExclusiveHold", "800ms"));
        assertThat(liquibase.console()).contains("WARNING: LockSafe ZDD: next.xml::2::dev L209 long-exclusive-hold"
                + " public.orders (ACCESS EXCLUSIVE held for at least");
        assertThat(liquibase.console()).doesNotContain("next.xml::3::dev L209");
        assertThat(changelogRows(db, "3")).isOne();
    }

    @Test
    void aChangesetOutsideATransactionIsSaidToBeUnchecked(TestDatabase db) throws Exception {
        LiquibaseRunner liquibase = releaseN(db).file("release-n.sql", RELEASE_N
                + "--changeset dev:2 runInTransaction:false\nalter table orders drop column note;\n"
                + "--changeset dev:3\nalter table orders add column memo text;\n");
        liquibase.update("release-n.sql", check("fail"));
        assertThat(liquibase.console()).contains("release-n.sql::2::dev runs outside a transaction", "was not checked")
                .doesNotContain("B101");
        assertThat(changelogRows(db, "3")).isOne();
    }
}
