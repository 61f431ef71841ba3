package dev.locksafe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A folder of migration scripts written by a test. */
public final class MigrationFiles {

    private final Path dir;

    private MigrationFiles(Path dir) {
        this.dir = dir;
    }

    /** A new empty folder under the system temp folder. */
    public static MigrationFiles create() {
        try {
            return new MigrationFiles(Files.createTempDirectory("locksafe-migrations"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code name} (for example {@code V2__add_note.sql}) with {@code sql}. */
    public MigrationFiles add(String name, String sql) {
        try {
            Files.writeString(dir.resolve(name), sql, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The Flyway location of the folder: {@code filesystem:/tmp/...}. */
    public String flywayLocation() {
        return "filesystem:" + dir.toAbsolutePath();
    }
}
