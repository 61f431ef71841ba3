package dev.locksafe.it;

import dev.locksafe.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.ui.CompositeUIService;
import liquibase.ui.ConsoleUIService;

/** Runs Liquibase commands through the public API ({@code CommandScope}), collecting what it prints. */
final class LiquibaseRunner {

    private final TestDatabase db;
    private final Path dir;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private String url;

    LiquibaseRunner(TestDatabase db) {
        this.db = db;
        this.url = db.jdbcUrl();
        try {
            this.dir = Files.createTempDirectory("liquibase-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a changelog file into the search path. */
    LiquibaseRunner file(String name, String content) {
        try {
            Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Connects through {@code jdbcUrl} instead of the database's own URL (a pooler, say). */
    LiquibaseRunner url(String jdbcUrl) {
        this.url = jdbcUrl;
        return this;
    }

    Path dir() {
        return dir;
    }

    /** Runs {@code update} on {@code changelog} with LockSafe settings given as Liquibase scope values. */
    void update(String changelog, Map<String, String> settings) throws Exception {
        run("update", changelog, settings);
    }

    void run(String command, String changelog, Map<String, String> settings) throws Exception {
        ConsoleUIService ui = new ConsoleUIService();
        ui.setOutputStream(new PrintStream(console, true, StandardCharsets.UTF_8));
        Map<String, Object> scope = new HashMap<>(settings);
        scope.put(Scope.Attr.resourceAccessor.name(), new liquibase.resource.DirectoryResourceAccessor(dir));
        // as Liquibase's command line sets it up: its console inside a composite UI (embedded runs, with a
        // plain console UI, get LockSafe's lines in their log only)
        scope.put(Scope.Attr.ui.name(), new CompositeUIService(ui, List.of(ui)));
        Scope.child(scope, () -> new CommandScope(command)
                .addArgumentValue("url", url)
                .addArgumentValue("username", db.user())
                .addArgumentValue("password", db.password())
                .addArgumentValue("changelogFile", changelog)
                .execute());
    }

    /** Everything Liquibase printed so far. */
    String console() {
        return console.toString(StandardCharsets.UTF_8);
    }
}
