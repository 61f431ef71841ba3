package dev.locksafe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What values one setting takes: how its text is parsed, how a value given from code is checked, and how a
 * value is written back as text. Shared by the map parser, the builder and every front end, so the rules
 * for a key are stated once, in {@link Setting}.
 */
final class SettingType {

    static final SettingType BOOLEAN = new SettingType(Boolean.class, "true or false",
            SettingValues::parseBoolean, (setting, value) -> (Boolean) value, Object::toString);

    @SuppressWarnings("unchecked")
    static final SettingType SQL_STATES = new SettingType(Set.class,
            "comma-separated five-character SQLSTATE codes, such as 55P03,40P01", SettingValues::parseSqlStates,
            (setting, value) -> SettingValues.checkSqlStates(setting, (Set<String>) value,
                    String.join(",", (Set<String>) value)),
            value -> String.join(",", (Set<String>) value));

    private final Class<?> valueType;
    private final String accepted;
    private final BiFunction<Setting, String, Object> parser;
    private final BiFunction<Setting, Object, Object> checker;
    private final Function<Object, String> formatter;

    private SettingType(Class<?> valueType, String accepted, BiFunction<Setting, String, Object> parser,
                        BiFunction<Setting, Object, Object> checker, Function<Object, String> formatter) {
        this.valueType = valueType;
        this.accepted = accepted;
        this.parser = parser;
        this.checker = checker;
        this.formatter = formatter;
    }

    /** One of the constants of {@code type}, written in lower case ({@code off}, {@code warn}, {@code fail}). */
    static <E extends Enum<E>> SettingType oneOf(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        String accepted = "one of " + String.join(", ", names);
        return new SettingType(type, accepted, (setting, raw) -> {
            String text = SettingValues.requireText(setting, raw).toUpperCase(Locale.ROOT);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(text)) {
                    return constant;
                }
            }
            throw SettingValues.invalid(setting, raw, "expected " + accepted);
        }, (setting, value) -> type.cast(Objects.requireNonNull(value, setting.key())),
                value -> ((Enum<?>) value).name().toLowerCase(Locale.ROOT));
    }

    /**
     * A value read from text by {@code parser}, which throws {@link IllegalArgumentException} (its message says
     * what is wrong) for text it cannot use; written back with {@code toString()}.
     */
    static <T> SettingType text(Class<T> type, Function<String, T> parser, String accepted) {
        return new SettingType(type, accepted, (setting, raw) -> {
            String text = SettingValues.requireText(setting, raw);
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                throw SettingValues.invalid(setting, raw, "expected " + accepted + " (" + e.getMessage() + ")");
            }
        }, (setting, value) -> type.cast(Objects.requireNonNull(value, setting.key())), Object::toString);
    }

    /** A duration from {@code min} to {@code max}, in whole milliseconds. */
    static SettingType duration(Duration min, Duration max) {
        return new SettingType(Duration.class, "a duration between " + SettingValues.format(min) + " and "
                + SettingValues.format(max) + " (250ms, 2s, 1m, 1h, PT2S or whole milliseconds)",
                SettingValues::parseDuration,
                (setting, value) -> SettingValues.checkDuration(setting, (Duration) value, min, max),
                value -> SettingValues.format((Duration) value));
    }

    /** A whole number from {@code min} to {@code max}. */
    static SettingType wholeNumber(int min, int max) {
        return new SettingType(Integer.class, "a whole number between " + min + " and " + max,
                (setting, raw) -> SettingValues.parseInt(setting, raw, min, max),
                (setting, value) -> SettingValues.checkInt(setting, (Integer) value, min, max), Object::toString);
    }

    /** A decimal number from {@code min} to {@code max}. */
    static SettingType decimal(double min, double max) {
        return new SettingType(Double.class, "a number between " + min + " and " + max,
                SettingValues::parseDouble,
                (setting, value) -> SettingValues.checkDouble(setting, (Double) value, min, max), Object::toString);
    }

    /** The value of {@code raw}, a setting's text from a configuration file or the environment, range-checked. */
    Object parse(Setting setting, String raw) {
        return check(setting, parser.apply(setting, raw));
    }

    /** {@code value}, given from code, once checked; throws {@link InvalidSettingException} if out of range. */
    Object check(Setting setting, Object value) {
        return checker.apply(setting, value);
    }

    /** The text {@link #parse} reads back as {@code value}. */
    String format(Object value) {
        return formatter.apply(value);
    }

    /** What is accepted, for docs and help: {@code a duration between 1ms and 24h (...)}. */
    String accepted() {
        return accepted;
    }

    /** The Java type of a value. */
    Class<?> valueType() {
        return valueType;
    }
}
