package dev.locksafe.it;

import dev.locksafe.LockSafe;
import dev.locksafe.flyway.LockSafePostgreSQLDatabaseType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flyway command-line installation (built by Maven in target/flyway-cli) with LockSafe's jars in
 * {@code drivers/}, run as a separate process like a user would.
 */
final class FlywayCli {

    /** What a user copies into the Flyway CLI's drivers/ folder. */
    static final List<Class<?>> PLUGIN_JARS = List.of(LockSafe.class, LockSafePostgreSQLDatabaseType.class,
            Retry.class, IntervalFunction.class, org.slf4j.Logger.class);

    private final Path home;

    private FlywayCli(Path home) {
        this.home = home;
    }

    static FlywayCli withLockSafeInDrivers() {
        Path home = Paths.get(System.getProperty("locksafe.test.flywayCliHome", "target/flyway-cli"));
        try {
            Path drivers = Files.createDirectories(home.resolve("drivers"));
            for (Class<?> c : PLUGIN_JARS) {
                Path jar = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isRegularFile(jar)) {
                    Files.copy(jar, drivers.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    throw new IllegalStateException(c + " is not in a jar (" + jar + "): run the tests with mvn verify");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new FlywayCli(home);
    }

    /** A running CLI process whose output is collected as it comes. */
    static final class Run {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final Thread reader;

        Run(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // process ended
                }
            });
            reader.start();
        }

        String output() {
            return output.toString();
        }

        int waitFor() throws InterruptedException {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Flyway CLI did not finish in 120s:\n" + output);
            }
            reader.join(5_000);
            return process.exitValue();
        }
    }

    Run start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(home.resolve("lib") + "/*" + java.io.File.pathSeparator + home.resolve("drivers") + "/*");
        command.add("org.flywaydb.commandline.Main");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("FLYWAY_"));
        pb.environment().putAll(env);
        return new Run(pb.start());
    }
}
