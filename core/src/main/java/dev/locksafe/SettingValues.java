package dev.locksafe;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and range checks of setting values: one validator per rule, shared by the builder and the
 * map parser so the two cannot drift apart.
 */
final class SettingValues {

    static final String DURATION_FORMAT =
            "a duration such as 250ms, 2s, 1m, 1h, PT2S or a whole number of milliseconds";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)?");
    private static final Pattern SQL_STATE = Pattern.compile("[0-9A-Z]{5}");

    private SettingValues() {
    }

    static Duration parseDuration(Setting setting, String raw) {
        String text = requireText(setting, raw).toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            switch (unit) {
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                case "h":
                    return Duration.ofHours(amount);
                default:
                    return Duration.ofMillis(amount);
            }
        }
        if (text.startsWith("pt") || text.startsWith("p")) {
            try {
                Duration d = Duration.parse(text.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException | ArithmeticException e) {
                // fall through to the common message
            }
        }
        throw invalid(setting, raw, "expected " + DURATION_FORMAT);
    }

    static boolean parseBoolean(Setting setting, String raw) {
        String text = requireText(setting, raw);
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(setting, raw, "expected true or false");
    }

    /** A whole number from {@code min} to {@code max}; any other text, however large, is refused with the range. */
    static int parseInt(Setting setting, String raw, int min, int max) {
        String text = requireText(setting, raw);
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw invalid(setting, raw, wholeNumberBetween(min, max));
        }
        if (value < min || value > max) {
            throw invalid(setting, raw, wholeNumberBetween(min, max));
        }
        return value;
    }

    private static String wholeNumberBetween(int min, int max) {
        return "expected a whole number between " + min + " and " + max;
    }

    static double parseDouble(Setting setting, String raw) {
        String text = requireText(setting, raw);
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value) || text.endsWith("d") || text.endsWith("D")
                    || text.endsWith("f") || text.endsWith("F")) {
                throw new NumberFormatException(text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(setting, raw, "expected a decimal number such as 1.5");
        }
    }

    static Set<String> parseSqlStates(Setting setting, String raw) {
        String text = requireText(setting, raw);
        Set<String> states = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            states.add(part.trim().toUpperCase(Locale.ROOT));
        }
        return checkSqlStates(setting, states, raw);
    }

    static Set<String> checkSqlStates(Setting setting, Set<String> states, String shownValue) {
        if (states.isEmpty()) {
            throw invalid(setting, shownValue, "expected at least one SQLSTATE, such as 55P03");
        }
        for (String state : states) {
            if (state == null || !SQL_STATE.matcher(state).matches()) {
                throw invalid(setting, shownValue,
                        "expected comma-separated five-character SQLSTATE codes (digits and A-Z), such as 55P03,40P01");
            }
        }
        // sorted: two policies with the same codes are equal, and print the same, whatever the input order
        return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(states));
    }

    static Duration checkDuration(Setting setting, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw invalid(setting, "null", "expected a duration between " + format(min) + " and " + format(max));
        }
        Duration millis = Duration.ofMillis(value.toMillis());
        if (value.isNegative() || millis.compareTo(min) < 0 || millis.compareTo(max) > 0) {
            throw invalid(setting, format(value),
                    "expected a duration between " + format(min) + " and " + format(max));
        }
        return millis;
    }

    static double checkDouble(Setting setting, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw invalid(setting, String.valueOf(value), "expected a number between " + min + " and " + max);
        }
        return value;
    }

    static int checkInt(Setting setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(setting, String.valueOf(value), wholeNumberBetween(min, max));
        }
        return value;
    }

    /** Formats a duration the way users write it: {@code 200ms}, {@code 5s}, {@code 1m}, {@code 1500ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    static InvalidSettingException invalid(Setting setting, String value, String accepted) {
        return new InvalidSettingException(setting.key(), value, accepted);
    }

    static String requireText(Setting setting, String raw) {
        if (raw == null || raw.trim().isEmpty()) {
            throw invalid(setting, raw == null ? "" : raw, "a value is required; default is "
                    + (setting.defaultValue().isEmpty() ? "unset (leave the key out)" : setting.defaultValue()));
        }
        return raw.trim();
    }
}
