package dev.locksafe.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allow markers of one migration: {@code -- locksafe:allow B101 reason: column unused since release 41}
 * (several rules separated by commas or spaces). A marker turns the finding into a reported, allowed one; the
 * reason is required, so that the history of the migration says why.
 */
public final class AllowMarkers {

    private static final Pattern MARKER = Pattern.compile("locksafe:allow\\b([^\\r\\n]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern RULES_AND_REASON = Pattern.compile(
            "\\s*([A-Za-z]\\d{3}(?:[\\s,]+[A-Za-z]\\d{3})*)\\s*(?:reason:\\s*(.*))?", Pattern.CASE_INSENSITIVE);

    private static final AllowMarkers NONE = new AllowMarkers(Map.of());

    private final Map<Rule, String> reasons;

    private AllowMarkers(Map<Rule, String> reasons) {
        this.reasons = reasons;
    }

    /** No marker. */
    public static AllowMarkers none() {
        return NONE;
    }

    /**
     * The markers in {@code text} (a SQL script, a changeset comment).
     *
     * @throws IllegalArgumentException naming the marker when it has no reason or names no known rule
     */
    public static AllowMarkers in(String text) {
        if (text == null || !text.toLowerCase(Locale.ROOT).contains("locksafe:allow")) {
            return NONE;
        }
        Map<Rule, String> reasons = new LinkedHashMap<>();
        Matcher m = MARKER.matcher(text);
        while (m.find()) {
            String marker = "locksafe:allow" + m.group(1);
            Matcher parts = RULES_AND_REASON.matcher(m.group(1));
            if (!parts.matches()) {
                throw new IllegalArgumentException("LockSafe: the allow marker '" + marker.trim()
                        + "' names no rule: expected '-- locksafe:allow B101 reason: why it is safe'");
            }
            String reason = parts.group(2) == null ? "" : parts.group(2).trim();
            if (reason.isEmpty()) {
                throw new IllegalArgumentException("LockSafe: the allow marker '" + marker.trim()
                        + "' has no reason: expected '-- locksafe:allow " + parts.group(1).trim()
                        + " reason: why it is safe (for example the release that stopped using the object)'");
            }
            for (String id : parts.group(1).trim().split("[\\s,]+")) {
                Rule rule;
                try {
                    rule = Rule.parse(id);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("LockSafe: the allow marker '" + marker.trim() + "' names an "
                            + e.getMessage(), e);
                }
                reasons.put(rule, reason);
            }
        }
        return new AllowMarkers(Collections.unmodifiableMap(reasons));
    }

    /** The reason given for {@code rule}, or {@code null}. */
    String reason(Rule rule) {
        return reasons.get(rule);
    }

    /** The rules a marker names. */
    public java.util.Set<Rule> rules() {
        return reasons.keySet();
    }
}
