package dev.locksafe.check;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code checkSeverity} setting: a rule's severity changed, or the rule turned off, for a team whose
 * practice differs from the defaults. Written {@code B106:error, L206:off}.
 */
public final class SeverityOverrides {

    private static final SeverityOverrides NONE = new SeverityOverrides(Map.of());

    /** {@code null} as a value means off. */
    private final Map<Rule, Severity> overrides;

    private SeverityOverrides(Map<Rule, Severity> overrides) {
        this.overrides = overrides;
    }

    /** The built-in severities. */
    public static SeverityOverrides none() {
        return NONE;
    }

    /**
     * Reads {@code text}: {@code RULE:error|warning|info|off} entries separated by commas.
     *
     * @throws IllegalArgumentException saying which entry cannot be read
     */
    public static SeverityOverrides parse(String text) {
        Map<Rule, Severity> overrides = new EnumMap<>(Rule.class);
        for (String part : text.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + entry + "' is not RULE:severity (such as B106:error)");
            }
            Rule rule = Rule.parse(entry.substring(0, colon).trim());
            String level = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            if (level.equals("OFF")) {
                overrides.put(rule, null);
            } else {
                try {
                    overrides.put(rule, Severity.valueOf(level));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + entry + "': the severity must be error, warning, info or off");
                }
            }
        }
        if (overrides.isEmpty()) {
            throw new IllegalArgumentException("no entry: expected RULE:severity, such as B106:error");
        }
        return new SeverityOverrides(Collections.unmodifiableMap(overrides));
    }

    /** Whether {@code rule} is turned off. */
    public boolean off(Rule rule) {
        return overrides.containsKey(rule) && overrides.get(rule) == null;
    }

    /**
     * The severity of a finding of {@code rule} that the check judged {@code judged}: the override applies
     * to the rule's usual case (its default severity); a case the check itself raised or lowered (B106 on a
     * column added in the same release, B104 with a view of the old name) keeps its severity.
     */
    Severity severity(Rule rule, Severity judged) {
        Severity override = overrides.get(rule);
        return override == null || judged != rule.defaultSeverity() ? judged : override;
    }

    /** The setting's text, normalized. */
    @Override
    public String toString() {
        return overrides.entrySet().stream()
                .map(e -> e.getKey().id() + ":" + (e.getValue() == null ? "off" : e.getValue().name().toLowerCase(Locale.ROOT)))
                .collect(Collectors.joining(","));
    }
}
