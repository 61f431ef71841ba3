package dev.locksafe.quarkus.runtime;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import io.smallrye.config.SmallRyeConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads {@link LockSafeConfig} into {@link LockSafeSettings}. The keys come from {@link Setting}: each
 * has its method in {@code LockSafeConfig}, named by its key, and this class refuses to load without one,
 * so a setting added to LockSafe without a Quarkus key fails every Quarkus test at once.
 */
public final class QuarkusSettings {

    /** The prefix of every key. */
    public static final String PREFIX = "quarkus.locksafe.";

    private static final Map<Setting, Method> METHODS = methods();

    private QuarkusSettings() {
    }

    /** The Quarkus name of {@code setting}: {@code quarkus.locksafe.lock-timeout}. */
    public static String propertyName(Setting setting) {
        return PREFIX + setting.kebabKey();
    }

    /**
     * The settings of the running application's configuration.
     *
     * @throws IllegalArgumentException naming {@code quarkus.locksafe.<key>}, the value and what is accepted
     */
    public static LockSafeSettings current() {
        return of(ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(LockSafeConfig.class));
    }

    /**
     * The settings {@code config} gives.
     *
     * @throws IllegalArgumentException naming {@code quarkus.locksafe.<key>}, the value and what is accepted
     */
    public static LockSafeSettings of(LockSafeConfig config) {
        Map<String, String> raw = new LinkedHashMap<>();
        METHODS.forEach((setting, method) -> valueOf(config, method).ifPresent(v -> raw.put(setting.key(), v)));
        try {
            return LockSafeSettings.fromMap(raw);
        } catch (InvalidSettingException bad) {
            throw new IllegalArgumentException(bad.messageFor(propertyName(Setting.find(bad.key()).orElseThrow())), bad);
        }
    }

    private static Optional<String> valueOf(LockSafeConfig config, Method method) {
        try {
            Object value = method.invoke(config);
            return value instanceof Optional ? ((Optional<?>) value).map(String::valueOf)
                    : Optional.ofNullable((String) value);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("LockSafe: cannot read " + method.getName() + " of " + config, e);
        }
    }

    /** The method of each setting; the method of a setting is named by its key. */
    static Map<Setting, Method> methods() {
        Map<Setting, Method> methods = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            try {
                methods.put(s, LockSafeConfig.class.getMethod(s.key()));
            } catch (NoSuchMethodException e) {
                throw new ExceptionInInitializerError("LockSafe build error: LockSafeConfig has no method "
                        + s.key() + "() for " + PREFIX + s.kebabKey());
            }
        }
        return Collections.unmodifiableMap(methods);
    }
}
