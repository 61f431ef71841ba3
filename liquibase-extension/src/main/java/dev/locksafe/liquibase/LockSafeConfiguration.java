package dev.locksafe.liquibase;

import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.Setting;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import liquibase.Scope;
import liquibase.configuration.AbstractMapConfigurationValueProvider;
import liquibase.configuration.AutoloadedConfigurations;
import liquibase.configuration.ConfigurationDefinition;
import liquibase.configuration.LiquibaseConfiguration;
import liquibase.exception.UnexpectedLiquibaseException;

/**
 * LockSafe's settings as Liquibase configuration definitions, so Liquibase reads them from all its
 * usual places and {@code --help} and strict mode know them: {@code liquibase.locksafe.lockTimeout} in
 * {@code liquibase.properties} or as a system property, {@code LIQUIBASE_LOCKSAFE_LOCK_TIMEOUT} in the
 * environment, the Maven plugin's property file and {@code -D} options.
 *
 * <p>Values are text, checked by LockSafe when a changeset starts, so a bad value fails with LockSafe's
 * message (key, value, what is accepted) before the changeset's first change runs.
 */
public final class LockSafeConfiguration implements AutoloadedConfigurations {

    /** The prefix of every key. */
    public static final String PREFIX = "liquibase.locksafe";

    private static final Map<Setting, ConfigurationDefinition<String>> DEFINITIONS;
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    /** Settings and listeners given per thread by {@link #provideOnThisThread}, innermost last. */
    private static final Map<Thread, Deque<ThreadSettings>> ON_THREAD = new ConcurrentHashMap<>();
    /** The Liquibase configuration the per-thread provider is registered with. */
    private static LiquibaseConfiguration threadProviderRegisteredWith;

    static {
        ConfigurationDefinition.Builder builder = new ConfigurationDefinition.Builder(PREFIX);
        Map<Setting, ConfigurationDefinition<String>> definitions = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            ConfigurationDefinition.Building<String> building = builder.define(s.key(), String.class)
                    .setDescription("LockSafe: " + s.description());
            if (!s.defaultValue().isEmpty()) {
                building.setDefaultValue(s.defaultValue());
            }
            definitions.put(s, building.build());
        }
        DEFINITIONS = Collections.unmodifiableMap(definitions);
    }

    /**
     * The settings as Liquibase resolves them now (from the current scope).
     *
     * @throws UnexpectedLiquibaseException naming {@code liquibase.locksafe.<key>} when a value cannot be used
     */
    public static LockSafeSettings currentSettings() {
        warnAboutUnknownKeys();
        Map<String, String> raw = new LinkedHashMap<>();
        for (Map.Entry<Setting, ConfigurationDefinition<String>> e : DEFINITIONS.entrySet()) {
            String value = e.getValue().getCurrentValue();
            if (value != null) {
                raw.put(e.getKey().key(), value);
            }
        }
        try {
            return LockSafeSettings.fromMap(raw);
        } catch (InvalidSettingException e) {
            throw new UnexpectedLiquibaseException(e.messageWithKeyPrefix(PREFIX + "."), e);
        }
    }

    /**
     * Gives the Liquibase runs of the calling thread LockSafe settings from an application's own
     * configuration (the Spring Boot starter's {@code locksafe.*} properties), and a listener for their
     * attempts (its metrics), until the registration is closed: the starter opens it just before a
     * {@code SpringLiquibase} runs its update on this thread and closes it right after. Scoped to the
     * thread, not the JVM, so two applications in one JVM (two Spring contexts, a test suite's cached
     * contexts) each run with their own settings and count their own attempts. Precedence 100: above
     * {@code liquibase.properties} (50), below {@code LIQUIBASE_LOCKSAFE_*} variables (150),
     * {@code -Dliquibase.locksafe.*} (200) and scope values (400). Registrations nest; the innermost wins.
     * The registration may be closed from any thread.
     *
     * @param listener    also told about each attempt of these runs; {@code null} for none
     * @param lookupSource where these runs open a second connection to look up blocking sessions (the
     *                    application's data source, which Liquibase was handed a connection of);
     *                    {@code null} for none
     */
    public static Registration provideOnThisThread(LockSafeSettings settings, AttemptListener listener,
                                                   ConnectionSource lookupSource) {
        ThreadSettings given = new ThreadSettings(prefixed(settings), listener, lookupSource);
        Thread thread = Thread.currentThread();
        registerThreadProvider();
        ON_THREAD.computeIfAbsent(thread, t -> new ConcurrentLinkedDeque<>()).addLast(given);
        return () -> ON_THREAD.computeIfPresent(thread, (t, deque) -> {
            deque.removeIf(g -> g == given);
            return deque.isEmpty() ? null : deque;
        });
    }

    /**
     * Gives every Liquibase run in this JVM LockSafe settings from an application's own configuration, until
     * the registration is closed: how a framework that runs Liquibase itself, with no hook around the run
     * (Quarkus, Micronaut), hands over its {@code quarkus.locksafe.*} or {@code locksafe.*} values. The
     * settings are asked for once, when a run first reads a LockSafe key, so this may be registered before
     * the application's configuration can be read (Quarkus registers it at static init). Precedence 90:
     * under {@link #provideOnThisThread} (100), above {@code liquibase.properties} (50), below
     * {@code LIQUIBASE_LOCKSAFE_*} variables (150), {@code -Dliquibase.locksafe.*} (200) and scope values.
     *
     * @param source what the values are, for Liquibase's messages: {@code "Quarkus configuration quarkus.locksafe.*"}
     */
    public static Registration provideToEveryThread(java.util.function.Supplier<LockSafeSettings> settings,
                                                    String source) {
        java.util.Objects.requireNonNull(settings, "settings");
        LiquibaseConfiguration configuration = Scope.getCurrentScope().getSingleton(LiquibaseConfiguration.class);
        AbstractMapConfigurationValueProvider provider = new AbstractMapConfigurationValueProvider() {
            private volatile Map<String, String> values;

            @Override
            public int getPrecedence() {
                return 90;
            }

            @Override
            protected Map<?, ?> getMap() {
                Map<String, String> v = values;
                if (v == null) {
                    synchronized (this) {
                        v = values;
                        if (v == null) {
                            values = v = prefixed(settings.get());
                        }
                    }
                }
                return v;
            }

            @Override
            protected String getSourceDescription() {
                return source;
            }
        };
        configuration.registerProvider(provider);
        return () -> configuration.unregisterProvider(provider);
    }

    /** The settings as {@code liquibase.locksafe.<key>} values. */
    private static Map<String, String> prefixed(LockSafeSettings settings) {
        Map<String, String> values = new LinkedHashMap<>();
        settings.asMap().forEach((key, value) -> values.put(PREFIX + "." + key, value));
        return Map.copyOf(values);
    }

    /** The listener given for the calling thread's runs ({@link #provideOnThisThread}), or {@code null}. */
    static AttemptListener listenerOnThisThread() {
        ThreadSettings given = onThisThread();
        return given == null ? null : given.listener;
    }

    /** The lookup connections given for the calling thread's runs, or {@code null}. */
    static ConnectionSource lookupSourceOnThisThread() {
        ThreadSettings given = onThisThread();
        return given == null ? null : given.lookupSource;
    }

    private static ThreadSettings onThisThread() {
        Deque<ThreadSettings> deque = ON_THREAD.get(Thread.currentThread());
        return deque == null ? null : deque.peekLast();
    }

    /** What one application gave the runs of one thread. */
    private static final class ThreadSettings {
        final Map<String, String> values;
        final AttemptListener listener;
        final ConnectionSource lookupSource;

        ThreadSettings(Map<String, String> values, AttemptListener listener, ConnectionSource lookupSource) {
            this.values = values;
            this.listener = listener;
            this.lookupSource = lookupSource;
        }
    }

    /**
     * One provider in Liquibase's configuration, answering for the asking thread only: Liquibase resolves
     * a run's configuration on the thread that runs it.
     */
    private static synchronized void registerThreadProvider() {
        LiquibaseConfiguration configuration = Scope.getCurrentScope().getSingleton(LiquibaseConfiguration.class);
        if (configuration == threadProviderRegisteredWith) {
            return;
        }
        configuration.registerProvider(new AbstractMapConfigurationValueProvider() {
            @Override
            public int getPrecedence() {
                return 100;
            }

            @Override
            protected Map<?, ?> getMap() {
                ThreadSettings given = onThisThread();
                return given == null ? Map.of() : given.values;
            }

            @Override
            protected String getSourceDescription() {
                return "the application's LockSafe settings (Spring Boot locksafe.* properties)";
            }
        });
        threadProviderRegisteredWith = configuration;
    }

    /**
     * Liquibase ignores a {@code liquibase.locksafe.*} system property or {@code LIQUIBASE_LOCKSAFE_*}
     * variable it has no definition for, so a misspelt key would silently keep the default: warn, once
     * per key, with the closest known key. (Its command line and strict mode reject unknown keys themselves.)
     */
    private static void warnAboutUnknownKeys() {
        Map<String, String> suffixes = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(PREFIX + ".")) {
                suffixes.put(name, name.substring(PREFIX.length() + 1));
            }
        }
        String envPrefix = PREFIX.toUpperCase(Locale.ROOT).replace('.', '_') + "_";
        for (String name : System.getenv().keySet()) {
            if (name.startsWith(envPrefix)) {
                suffixes.put(name, name.substring(envPrefix.length()));
            }
        }
        suffixes.forEach((name, key) -> {
            if (Setting.find(key).isEmpty() && WARNED.add(name)) {
                Scope.getCurrentScope().getLog(LockSafeConfiguration.class).warning("LockSafe: ignoring unknown setting "
                        + name + "; did you mean " + PREFIX + "." + LockSafeSettings.closestKey(key) + "?");
            }
        });
    }
}
