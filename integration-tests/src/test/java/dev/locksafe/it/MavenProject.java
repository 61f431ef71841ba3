package dev.locksafe.it;

import dev.locksafe.LockSafe;
import dev.locksafe.flyway.LockSafePostgreSQLDatabaseType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Maven project run with a real {@code mvn}, the way a user runs a Maven plugin.
 *
 * <p>LockSafe's jars reach it through a file repository written here, under the version
 * {@value #VERSION}, with poms that declare their real dependencies. The run uses its own local
 * repository under target/ so the user's ~/.m2 is never touched (the first run downloads the plugin
 * from Maven Central).
 */
final class MavenProject {

    static final String VERSION = "0.1.0-it";
    private static final Path BUILD = Paths.get(System.getProperty("locksafe.test.buildDir", "target"));

    private MavenProject() {
    }

    /** The file repository with locksafe-core and locksafe-flyway, rewritten on each call. */
    static Path lockSafeRepository() {
        Path repo = BUILD.resolve("locksafe-it-repo");
        try {
            publish(repo, "locksafe-core", jarOf(LockSafe.class), dependency("io.github.resilience4j",
                    "resilience4j-retry", "2.4.0") + dependency("org.slf4j", "slf4j-api", "2.0.17"));
            publish(repo, "locksafe-flyway", jarOf(LockSafePostgreSQLDatabaseType.class),
                    dependency("dev.locksafe", "locksafe-core", VERSION));
            publish(repo, "locksafe-liquibase", jarOf(dev.locksafe.liquibase.LockSafeJdbcExecutor.class),
                    dependency("dev.locksafe", "locksafe-core", VERSION));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return repo;
    }

    private static void publish(Path repo, String artifactId, Path jar, String dependencies) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("dev/locksafe/" + artifactId + "/" + VERSION));
        Files.copy(jar, dir.resolve(artifactId + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve(artifactId + "-" + VERSION + ".pom"),
                "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>dev.locksafe</groupId><artifactId>" + artifactId + "</artifactId><version>" + VERSION
                        + "</version><dependencies>" + dependencies + "</dependencies></project>",
                StandardCharsets.UTF_8);
    }

    private static String dependency(String group, String artifact, String version) {
        return "<dependency><groupId>" + group + "</groupId><artifactId>" + artifact + "</artifactId><version>"
                + version + "</version></dependency>";
    }

    private static Path jarOf(Class<?> c) {
        try {
            Path jar = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(c + " is not in a jar (" + jar + "): run the tests with mvn verify");
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A running {@code mvn}; its output can be read while it runs. */
    static final class Run {
        private final Process process;
        private final Path log;

        Run(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        boolean isRunning() {
            return process.isAlive();
        }

        int waitFor() throws InterruptedException {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("mvn did not finish in 10 minutes:\n" + output());
            }
            return process.exitValue();
        }
    }

    /** Starts {@code mvn} in {@code dir}. */
    static Run start(Path dir, String... args) throws IOException {
        return start(dir, java.util.Map.of(), args);
    }

    /** Starts {@code mvn} in {@code dir} with {@code environment} added to this process's environment. */
    static Run start(Path dir, java.util.Map<String, String> environment, String... args) throws IOException {
        // the local repository is reused between runs; LockSafe's own artifacts are always fresh
        Path localRepo = BUILD.resolve("mvn-it-local-repo").toAbsolutePath();
        deleteTree(localRepo.resolve("dev/locksafe"));
        List<String> command = new ArrayList<>(List.of(mavenExecutable(), "-B", "-ntp",
                "-Dmaven.repo.local=" + localRepo));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("mvn-it", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process p = builder.start();
        return new Run(p, log);
    }

    private static String mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Paths.get(home, "bin", "mvn"))) {
            return Paths.get(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
