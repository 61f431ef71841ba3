package dev.locksafe.bench;

import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.flywaydb.core.Flyway;

/** Flyway or Liquibase, run the way a user runs them: Flyway's API migrate, Liquibase's update command. */
enum Tool {
    FLYWAY("Flyway") {
        @Override
        void migrate(TestDatabase db, List<String> statements, boolean lockSafe, Map<String, String> settings)
                throws Exception {
            MigrationFiles files = MigrationFiles.create();
            for (int i = 0; i < statements.size(); i++) {
                files.add("V" + (i + 1) + "__step_" + (i + 1) + ".sql", statements.get(i) + ";\n");
            }
            Map<String, String> config = new HashMap<>();
            config.put("flyway.locksafe.enabled", String.valueOf(lockSafe));
            settings.forEach((k, v) -> config.put("flyway.locksafe." + k, v));
            Flyway.configure().configuration(config)
                    .dataSource(db.jdbcUrl(), db.user(), db.password())
                    .baselineOnMigrate(true).baselineVersion("0")
                    .locations(files.flywayLocation()).load().migrate();
        }
    },
    LIQUIBASE("Liquibase") {
        @Override
        void migrate(TestDatabase db, List<String> statements, boolean lockSafe, Map<String, String> settings)
                throws Exception {
            StringBuilder changelog = new StringBuilder("--liquibase formatted sql\n");
            for (int i = 0; i < statements.size(); i++) {
                changelog.append("--changeset bench:step-").append(i + 1).append('\n')
                        .append(statements.get(i)).append(";\n");
            }
            MigrationFiles files = MigrationFiles.create().add("changelog.sql", changelog.toString());
            Map<String, Object> scope = new HashMap<>();
            scope.put("liquibase.locksafe.enabled", String.valueOf(lockSafe));
            settings.forEach((k, v) -> scope.put("liquibase.locksafe." + k, v));
            scope.put(Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(files.dir()));
            scope.put("liquibase.showBanner", "false");
            scope.put(Scope.Attr.ui.name(), new LoggerUIService());
            Scope.child(scope, () -> new CommandScope("update")
                    .addArgumentValue("url", db.jdbcUrl())
                    .addArgumentValue("username", db.user())
                    .addArgumentValue("password", db.password())
                    .addArgumentValue("changelogFile", "changelog.sql")
                    .addArgumentValue("showSummary", liquibase.UpdateSummaryEnum.OFF)
                    .execute());
        }
    };

    final String label;

    Tool(String label) {
        this.label = label;
    }

    /** Applies {@code statements}, one migration / changeset each, with LockSafe on or off. */
    abstract void migrate(TestDatabase db, List<String> statements, boolean lockSafe, Map<String, String> settings)
            throws Exception;
}
