package dev.locksafe.it;

import dev.locksafe.Setting;
import dev.locksafe.Statements;
import dev.locksafe.testing.MigrationFiles;
import dev.locksafe.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * One migration tool with LockSafe, run the way a user runs it, so that a fault test can be written
 * once for Flyway and Liquibase. Each tool migrates the same changes, given as SQL, one migration
 * (changeset) per entry, and reports how often each was recorded.
 */
enum Migrator {

    FLYWAY {
        @Override
        void migrate(TestDatabase db, String jdbcUrl, Map<String, String> settings, String... migrations) {
            MigrationFiles files = MigrationFiles.create();
            for (int i = 0; i < migrations.length; i++) {
                files.add("V" + (i + 1) + "__m" + (i + 1) + ".sql", migrations[i]);
            }
            Map<String, String> config = new HashMap<>();
            settings.forEach((k, v) -> config.put(k.startsWith("flyway.") ? k : "flyway.locksafe." + k, v));
            config.put("flyway.baselineOnMigrate", "true"); // the tests' tables exist before the first migration
            config.put("flyway.baselineVersion", "0");
            Flyway.configure().configuration(config).dataSource(jdbcUrl, db.user(), db.password())
                    .locations(files.flywayLocation()).load().migrate();
        }

        @Override
        long recorded(TestDatabase db, int migration) {
            if (db.queryLong("select count(*) from pg_tables where tablename = 'flyway_schema_history'") == 0) {
                return 0;
            }
            return db.queryLong("select count(*) from flyway_schema_history where version = '" + migration
                    + "' and success");
        }

        @Override
        void recoverAfterCrash(TestDatabase db) {
            // Flyway's lock ends with the session. A failed migration that ran outside a transaction is
            // recorded as failed, and Flyway refuses to migrate until `flyway repair` removes that row
            // (as without LockSafe); this is what repair does to it
            if (db.queryLong("select count(*) from pg_tables where tablename = 'flyway_schema_history'") == 1) {
                db.execute("delete from flyway_schema_history where not success");
            }
        }
    },

    LIQUIBASE {
        @Override
        void migrate(TestDatabase db, String jdbcUrl, Map<String, String> settings, String... migrations)
                throws Exception {
            Map<String, String> scope = new HashMap<>();
            lockSafeKeys(settings).forEach((k, v) -> scope.put("liquibase.locksafe." + k, v));
            scope.put("liquibase.changelogLockPollRate", "1"); // a second migrator checks every second, not 10
            new LiquibaseRunner(db).url(jdbcUrl).file("changelog.sql", changelog(migrations))
                    .update("changelog.sql", scope);
        }

        /**
         * In its own JVM, through Liquibase's command line: two Liquibase runs in one JVM at once break
         * inside Liquibase (a run's connection is closed under the other, LockSafe on or off), so two
         * application instances are two processes here.
         */
        @Override
        CompletableFuture<Void> startInstance(TestDatabase db, Map<String, String> settings, String... migrations)
                throws IOException {
            Path dir = Files.createTempDirectory("liquibase-instance");
            Files.writeString(dir.resolve("changelog.sql"), changelog(migrations), StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "liquibase.integration.commandline.LiquibaseCommandLine",
                    "--url=" + db.jdbcUrl(), "--username=" + db.user(), "--password=" + db.password(),
                    "--changelog-file=changelog.sql", "--changelog-lock-poll-rate=1"));
            lockSafeKeys(settings).forEach((k, v) -> command.add("--locksafe-" + kebab(k) + "=" + v));
            command.add("update");
            Path log = dir.resolve("out.log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return p.onExit().thenAccept(done -> {
                if (done.exitValue() != 0) {
                    try {
                        throw new IllegalStateException("liquibase update exited " + done.exitValue() + ":\n"
                                + Files.readString(log));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }

        @Override
        long recorded(TestDatabase db, int migration) {
            if (db.queryLong("select count(*) from pg_tables where tablename = 'databasechangelog'") == 0) {
                return 0;
            }
            return db.queryLong("select count(*) from databasechangelog where id = 'm" + migration + "'");
        }

        @Override
        void recoverAfterCrash(TestDatabase db) {
            // a session killed mid-update cannot unlock DATABASECHANGELOGLOCK (as without LockSafe):
            // what a user does then is `liquibase release-locks`
            if (db.queryLong("select count(*) from pg_tables where tablename = 'databasechangeloglock'") == 1) {
                db.execute("update databasechangeloglock set locked = false, lockgranted = null, lockedby = null");
            }
        }
    };

    /** The LockSafe keys of {@code settings}, without another tool's own ({@code flyway.*}). */
    private static Map<String, String> lockSafeKeys(Map<String, String> settings) {
        Map<String, String> keys = new HashMap<>(settings);
        keys.keySet().removeIf(k -> k.startsWith("flyway."));
        return keys;
    }

    private static String kebab(String key) {
        return Arrays.stream(Setting.values()).filter(s -> s.key().equals(key)).findFirst().orElseThrow().kebabKey();
    }

    private static String changelog(String... migrations) {
        StringBuilder changelog = new StringBuilder("--liquibase formatted sql\n");
        for (int i = 0; i < migrations.length; i++) {
            // a concurrent index build cannot run in a transaction: Liquibase must be told (Flyway sees it)
            String attributes = Statements.isConcurrentIndexBuild(migrations[i]) ? " runInTransaction:false" : "";
            changelog.append("--changeset dev:m").append(i + 1).append(attributes).append('\n')
                    .append(migrations[i]).append('\n');
        }
        return changelog.toString();
    }

    /**
     * Starts a migration the way an application instance would, on its own thread; the future ends with
     * the run. (Liquibase is inherited across threads in ways that matter: see its override.)
     */
    CompletableFuture<Void> startInstance(TestDatabase db, Map<String, String> settings, String... migrations)
            throws IOException {
        // a new thread per run: Liquibase's Scope is inherited by threads when they are created
        return CompletableFuture.runAsync(() -> {
            try {
                migrate(db, settings, migrations);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, task -> new Thread(task, "migrator-" + this).start());
    }

    /**
     * Migrates {@code db} with LockSafe {@code settings} (keys as in DESIGN.md; for Flyway, keys starting
     * with {@code flyway.} are Flyway's own).
     */
    void migrate(TestDatabase db, Map<String, String> settings, String... migrations) throws Exception {
        migrate(db, db.jdbcUrl(), settings, migrations);
    }

    /** The same, connecting through {@code jdbcUrl} (a pooler in front of {@code db}, say). */
    abstract void migrate(TestDatabase db, String jdbcUrl, Map<String, String> settings, String... migrations)
            throws Exception;

    /** How many times migration number {@code migration} (1-based) is recorded as applied. */
    abstract long recorded(TestDatabase db, int migration);

    /** Drops the tool's history (and lock) tables, so the same migrations can run again from scratch. */
    void forgetHistory(TestDatabase db) {
        db.execute("drop table if exists flyway_schema_history", "drop table if exists databasechangelog",
                "drop table if exists databasechangeloglock");
    }

    /** What a user does after a migrator died mid-run, before migrating again. */
    abstract void recoverAfterCrash(TestDatabase db);
}
