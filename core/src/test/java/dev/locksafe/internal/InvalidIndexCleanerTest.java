package dev.locksafe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvalidIndexCleanerTest {

    @Test
    void recognisesConcurrentIndexBuilds() {
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX CONCURRENTLY idx ON t (c)")).isNotNull();
        assertThat(InvalidIndexCleaner.forStatement("create unique index concurrently if not exists \"Idx\" on t (c)"))
                .isNotNull();
        assertThat(InvalidIndexCleaner.forStatement("-- comment\nCREATE INDEX CONCURRENTLY ON t (c)")).isNotNull();
        assertThat(InvalidIndexCleaner.forStatement("/* a */ CREATE INDEX CONCURRENTLY s.i ON s.t (c)")).isNotNull();
    }

    @Test
    void readsTheTableAsTheStatementNamesItForTheServerToResolve() {
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX CONCURRENTLY idx_note ON o (note)").table())
                .isEqualTo("o");
        assertThat(InvalidIndexCleaner.forStatement("create index concurrently on only t2.o using btree (note)").table())
                .isEqualTo("t2.o");
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX CONCURRENTLY \"On\" ON \"My Schema\".\"Orders\" (c)")
                .table()).isEqualTo("\"My Schema\".\"Orders\"");
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX CONCURRENTLY IF NOT EXISTS onion ON\n  orders(c)")
                .table()).isEqualTo("orders");
    }

    @Test
    void touchesNothingWhenTheTableCannotBeRead() {
        assertThat(InvalidIndexCleaner.isConcurrentIndexBuild("CREATE INDEX CONCURRENTLY idx")).isTrue();
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX CONCURRENTLY idx")).isNull();
    }

    @Test
    void ignoresOtherStatements() {
        assertThat(InvalidIndexCleaner.forStatement("CREATE INDEX idx ON t (c)")).isNull();
        assertThat(InvalidIndexCleaner.forStatement("ALTER TABLE t ADD COLUMN c int")).isNull();
        assertThat(InvalidIndexCleaner.forStatement("REINDEX INDEX CONCURRENTLY idx")).isNull();
        assertThat(InvalidIndexCleaner.forStatement("insert into log values ('create index concurrently x on y')")).isNull();
    }
}
