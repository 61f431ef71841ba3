package dev.locksafe.flyway;

import dev.locksafe.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LockSafe settings given as {@code FLYWAY_LOCKSAFE_*} environment variables or {@code flyway.locksafe.*}
 * system properties that the Flyway being run never read. Flyway's command line and Maven plugin read
 * both; a Flyway built in code with {@code Flyway.configure()} reads the environment only after
 * {@code envVars()} and system properties only when handed to {@code configuration(...)}, and that is how
 * frameworks (Spring Boot, Quarkus, Micronaut) build it. Such a setting would silently not apply: each is
 * said once per JVM.
 */
final class UnreadSettings {

    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private UnreadSettings() {
    }

    /**
     * One message per setting that is given in {@code environment} or {@code systemProperties} with a value
     * other than the one in {@code configured} (the extension's values, by key), not said before.
     */
    static List<String> unread(Map<String, String> configured, Map<String, String> environment,
                               Properties systemProperties) {
        List<String> messages = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            String applied = configured.get(setting.key());
            String variable = LockSafeConfigurationExtension.ENV_PREFIX + setting.upperSnakeKey();
            check(messages, variable, environment.get(variable), setting, applied, "environment variable");
            String property = "flyway.locksafe." + setting.key();
            check(messages, property, systemProperties.getProperty(property), setting, applied, "system property");
        }
        return messages;
    }

    private static void check(List<String> messages, String name, String given, Setting setting, String applied,
                              String kind) {
        if (given == null || Objects.equals(given.trim(), applied == null ? null : applied.trim())
                || !SAID.add(name)) {
            return;
        }
        String inEffect = applied != null ? applied
                : setting.defaultValue().isEmpty() ? "unset" : setting.defaultValue() + " (the default)";
        messages.add("LockSafe: the " + kind + " " + name + "=" + given + " is not applied: this Flyway runs with "
                + setting.key() + "=" + inEffect + " (it was configured without reading it, or from a source"
                + " that overrides it). Flyway"
                + " built in code (Flyway.configure(), as frameworks build it) reads the environment only after"
                + " envVars() and system properties only when passed to configuration(...). "
                + whereToGive(setting, Thread.currentThread().getContextClassLoader()));
    }

    /** Where this application gives LockSafe's settings to the Flyway its framework builds. */
    static String whereToGive(Setting setting, ClassLoader loader) {
        if (present("io.quarkus.runtime.Quarkus", loader)) {
            return "In a Quarkus application, give it as quarkus.locksafe." + setting.kebabKey()
                    + " (QUARKUS_LOCKSAFE_" + setting.upperSnakeKey() + " in the environment), which the"
                    + " locksafe-quarkus extension reads.";
        }
        if (present("io.micronaut.context.ApplicationContext", loader)) {
            return "In a Micronaut application, give it as locksafe." + setting.kebabKey()
                    + " (LOCKSAFE_" + setting.upperSnakeKey() + " in the environment), which locksafe-micronaut reads.";
        }
        if (present("org.springframework.boot.SpringApplication", loader)) {
            return "In a Spring Boot application, give it as locksafe." + setting.kebabKey()
                    + " (LOCKSAFE_" + setting.upperSnakeKey() + " in the environment), which"
                    + " locksafe-spring-boot-starter reads.";
        }
        return "Give it where that Flyway is configured: configuration(Map.of(\"flyway.locksafe." + setting.key()
                + "\", ...)), or LockSafeConfigurationExtension.of(configuration).apply(settings).";
    }

    private static boolean present(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader != null ? loader : UnreadSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
