package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ZddReportTest {

    private static final List<Finding> FINDINGS = List.of(
            new Finding(Rule.B101, Severity.ERROR, "V2__drop <note>.sql", "public.orders.note", null, null),
            new Finding(Rule.B103, Severity.ERROR, "V2__drop <note>.sql", "public.orders.qty", "renamed to \"n\"",
                    "ok since 41"),
            new Finding(Rule.L206, Severity.WARNING, "V2__drop <note>.sql", "public.orders_qty_idx", null, null));

    private static Path recorded(Path dir) {
        ZddReport report = new ZddReport(dir.resolve("zdd"), "flyway", CheckMode.FAIL);
        report.judged("V2__drop <note>.sql", FINDINGS);
        report.notJudged("V3__index_outside_tx.sql");
        return dir.resolve("zdd");
    }

    @Test
    void theJunitReportHasATestCasePerMigrationAndAFailurePerErrorNotAllowed(@TempDir Path dir) throws Exception {
        Path reports = recorded(dir);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(reports.resolve("locksafe-zdd-junit.xml").toFile());
        Element suite = doc.getDocumentElement();
        assertThat(suite.getAttribute("name")).isEqualTo("locksafe-zdd");
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("skipped")).isEqualTo("1");
        Element testcase = (Element) doc.getElementsByTagName("testcase").item(0);
        assertThat(testcase.getAttribute("classname")).isEqualTo("flyway");
        assertThat(testcase.getAttribute("name")).isEqualTo("V2__drop <note>.sql");
        assertThat(testcase.getElementsByTagName("failure").getLength()).isOne();
        Element failure = (Element) testcase.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo("B101");
        assertThat(failure.getTextContent()).contains("public.orders.note", "Recipe:");
        assertThat(testcase.getElementsByTagName("system-out").item(0).getTextContent())
                .contains("B103", "allowed by its marker, reason: ok since 41", "L206");
        Element second = (Element) doc.getElementsByTagName("testcase").item(1);
        assertThat(second.getElementsByTagName("skipped").getLength()).isOne();
    }

    @Test
    void theJsonReportListsEveryFindingAndCountsThemBySeverityWithAllowedOnesApart(@TempDir Path dir) throws Exception {
        String json = Files.readString(recorded(dir).resolve("locksafe-zdd.json"));
        assertThat(json).contains("\"schema\": 1", "\"tool\": \"flyway\"", "\"mode\": \"fail\"",
                "\"id\": \"V2__drop <note>.sql\", \"judged\": true",
                "\"rule\": \"B101\", \"name\": \"drop-column\", \"severity\": \"error\", \"object\": \"public.orders.note\"",
                "\"detail\": \"renamed to \\\"n\\\"\"", "\"allowed\": true, \"allowedBecause\": \"ok since 41\"",
                "\"id\": \"V3__index_outside_tx.sql\", \"judged\": false",
                "\"summary\": {\"errors\": 1, \"warnings\": 1, \"info\": 0, \"allowed\": 1}");
        assertThat(dir.resolve("zdd")).isDirectoryNotContaining("glob:**.tmp");
    }
}
