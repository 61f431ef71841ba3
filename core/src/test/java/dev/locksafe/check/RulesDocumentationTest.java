package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/zdd.md documents every rule the check has, by its id and name. */
class RulesDocumentationTest {

    @ParameterizedTest
    @EnumSource(Rule.class)
    void everyRuleIsInTheZddDocumentationWithItsName(Rule rule) throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "zdd.md"), StandardCharsets.UTF_8);
        String row = "| " + rule.id() + " | " + rule.ruleName() + " |";
        String prose = rule.id() + " " + rule.ruleName();
        assertThat(doc.contains(row) || doc.contains(prose)).as("%s or %s in docs/zdd.md", row, prose).isTrue();
    }
}
