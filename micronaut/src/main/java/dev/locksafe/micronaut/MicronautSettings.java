package dev.locksafe.micronaut;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.type.Argument;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LockSafe's settings as Micronaut configuration under {@code locksafe.*}: every key of {@link Setting} in
 * kebab case ({@code locksafe.lock-timeout: 200ms} in {@code application.yml},
 * {@code LOCKSAFE_LOCK_TIMEOUT=200ms} in the environment, a YAML list for {@code retry-sql-states}). Each
 * value is read as text and parsed by LockSafe, so the accepted values and the message for a bad one are
 * the same as everywhere else. The keys come from {@link Setting}: a new setting needs no code here.
 */
public final class MicronautSettings {

    /** The prefix of every key. */
    public static final String PREFIX = "locksafe";

    private static final Logger LOG = LoggerFactory.getLogger(MicronautSettings.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private MicronautSettings() {
    }

    /** The property name of {@code setting}: {@code locksafe.lock-timeout}. */
    public static String propertyName(Setting setting) {
        return PREFIX + "." + setting.kebabKey();
    }

    /**
     * The settings {@code environment} gives; keys it does not set keep LockSafe's defaults. A key under
     * {@code locksafe.} that is no setting is warned about once, with the closest key.
     *
     * @throws ConfigurationException naming {@code locksafe.<key>}, the value and what is accepted
     */
    public static LockSafeSettings of(Environment environment) {
        warnAboutUnknownKeys(environment);
        Map<String, String> raw = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            String name = propertyName(setting);
            Optional<String> value = setting.valueType() == Set.class // a YAML list, or one comma-separated text
                    ? environment.getProperty(name, Argument.listOf(String.class)).map(l -> String.join(",", l))
                    : environment.getProperty(name, String.class);
            value.ifPresent(v -> raw.put(setting.key(), v));
        }
        try {
            return LockSafeSettings.fromMap(raw);
        } catch (InvalidSettingException bad) {
            throw new ConfigurationException(bad.messageFor(propertyName(Setting.find(bad.key()).orElseThrow())), bad);
        }
    }

    /**
     * Micronaut binds no class to {@code locksafe.*}, so it would not notice {@code locksafe.lock-timout}: the
     * default would silently stay. An entry that is not (the start of) a key, in any of the spellings
     * Micronaut accepts (kebab, camel, the parts of an environment variable), is warned about.
     */
    private static void warnAboutUnknownKeys(Environment environment) {
        List<String> known = Arrays.stream(Setting.values()).map(s -> normalized(s.key())).toList();
        for (String entry : environment.getPropertyEntries(PREFIX)) {
            if (entry.equals("test")) {
                continue; // locksafe.test.*: LockSafe's own test harness (-Dlocksafe.test.postgres.version)
            }
            String given = normalized(entry);
            if (known.stream().noneMatch(k -> k.startsWith(given)) && WARNED.add(entry)) {
                LOG.warn("LockSafe: ignoring unknown setting {}.{}; did you mean {}?", PREFIX, entry,
                        propertyName(Setting.find(LockSafeSettings.closestKey(entry.replace("-", ""))).orElseThrow()));
            }
        }
    }

    private static String normalized(String key) {
        return key.replace("-", "").replace("_", "").replace(".", "").toLowerCase(Locale.ROOT);
    }
}
