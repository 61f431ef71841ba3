package dev.locksafe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void sqlIsCollapsedToOneLine() {
        assertThat(Text.shortenSql("ALTER TABLE orders\n    ADD COLUMN note text")).isEqualTo("ALTER TABLE orders ADD COLUMN note text");
    }

    @Test
    void leadingCommentsAreSkippedSoTheLineShowsTheStatement() {
        String licensed = "-- Copyright 2026 Example Corp.\n-- Licensed under the Apache License 2.0\n\n"
                + "/* header /* nested */ still header */\nALTER TABLE orders -- trailing\n ADD COLUMN note text";
        assertThat(Text.shortenSql(licensed)).isEqualTo("ALTER TABLE orders -- trailing ADD COLUMN note text");
        assertThat(Text.shortenSql("-- only a comment")).isEqualTo("-- only a comment");
        assertThat(Text.shortenSql("/* unterminated")).isEqualTo("/* unterminated");
        assertThat(Text.shortenSql("select '-- not a comment'")).isEqualTo("select '-- not a comment'");
    }

    @Test
    void longSqlIsCutWithAnEllipsis() {
        String shortened = Text.shortenSql("select '" + "x".repeat(500) + "'");
        assertThat(shortened).hasSize(Text.MAX_SQL_LENGTH + 3).endsWith("...");
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        String sql = "x".repeat(Text.MAX_SQL_LENGTH - 1) + emoji + "tail";
        String shortened = Text.shortenSql(sql);
        assertThat(Character.isHighSurrogate(shortened.charAt(shortened.length() - 4))).isFalse();
    }

    @Test
    void passwordsInStatementsAndUrlsAreMasked() {
        assertThat(Text.shortenSql("ALTER ROLE app PASSWORD 's3cr''et'")).isEqualTo("ALTER ROLE app PASSWORD '***'")
                .doesNotContain("s3cr");
        assertThat(Text.maskSecrets("jdbc:postgresql://h/db?user=a&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
        assertThat(Text.maskSecrets("postgresql://app:hunter2@db:5432/x")).doesNotContain("hunter2");
    }

    @Test
    void everyFormOfPasswordLiteralIsMasked() {
        String[] statements = {
                "ALTER ROLE app PASSWORD 'hunter2'",
                "alter role app password E'hun\\'ter2'",
                "ALTER ROLE app PASSWORD U&'hunter2'",
                "ALTER ROLE app PASSWORD U&'hunt!0065r2' UESCAPE '!'",
                "ALTER ROLE app PASSWORD /* set by ops */ 'hunter2'",
                "ALTER ROLE app PASSWORD -- set by ops\n 'hunter2'",
                "ALTER ROLE app PASSWORD $$hunter2$$",
                "ALTER ROLE app PASSWORD $pw$hun$$ter2$pw$",
                "CREATE USER app WITH LOGIN PASSWORD\n\t'hunter2' VALID UNTIL 'infinity'",
        };
        for (String statement : statements) {
            assertThat(Text.shortenSql(statement)).as(statement).doesNotContain("hunter2", "hun", "ter2")
                    .contains("'***'");
        }
        assertThat(Text.shortenSql("CREATE USER app WITH LOGIN PASSWORD 'hunter2' VALID UNTIL 'infinity'"))
                .as("what follows the literal is kept").endsWith("VALID UNTIL 'infinity'");
    }

    @Test
    void controlCharactersCannotForgeALogLineOrColourATerminal() {
        assertThat(Text.oneLine("V1__x\nINFO forged line\r\n\u001b[31mred\u0000\u2028end"))
                .isEqualTo("V1__x INFO forged line \\u001B[31mred\\u0000\\u2028end")
                .doesNotContain("\n", "\r", "\u001b", "\u2028");
    }

    @Test
    void unicodeAndSemicolonsInStringsAreKept() {
        assertThat(Text.shortenSql("ALTER TABLE заказы ADD COLUMN \"заметка 📝\" text DEFAULT 'a;b';"))
                .isEqualTo("ALTER TABLE заказы ADD COLUMN \"заметка 📝\" text DEFAULT 'a;b';");
    }
}
