package dev.locksafe.check;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code checkAllow} setting: findings accepted from configuration, each by rule and object, for changes
 * that cannot carry a marker (a Java migration) or are accepted for a whole run. Written
 * {@code B101:public.orders.note, B103:public.orders.*}: a rule id, a colon and the schema-qualified object,
 * where {@code *} stands for any characters. An allowed finding is still reported, as allowed.
 */
public final class AllowList {

    private static final Pattern ENTRY = Pattern.compile("([A-Za-z]\\d{3})\\s*:\\s*(\\S+)");
    private static final AllowList NONE = new AllowList(List.of(), "");

    private record Entry(Rule rule, String objectPattern, Pattern regex) {
    }

    private final List<Entry> entries;
    private final String text;

    private AllowList(List<Entry> entries, String text) {
        this.entries = entries;
        this.text = text;
    }

    /** Nothing allowed. */
    public static AllowList none() {
        return NONE;
    }

    /**
     * Reads {@code text}: entries separated by commas.
     *
     * @throws IllegalArgumentException saying which entry is not {@code RULE:object} or names an unknown rule
     */
    public static AllowList parse(String text) {
        List<Entry> entries = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        for (String part : text.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            var m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + entry + "' is not RULE:object (such as B101:public.orders.note)");
            }
            Rule rule = Rule.parse(m.group(1));
            String object = m.group(2);
            entries.add(new Entry(rule, object, glob(object)));
            canonical.add(rule.id() + ":" + object);
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no entry: expected RULE:object, such as B101:public.orders.note");
        }
        return new AllowList(List.copyOf(entries), String.join(",", canonical));
    }

    private static Pattern glob(String object) {
        String[] pieces = object.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(pieces[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    /** The entry that accepts {@code finding}, as the reason shown with it, or {@code null}. */
    String reason(Finding finding) {
        for (Entry e : entries) {
            if (e.rule() == finding.rule() && e.regex().matcher(finding.object()).matches()) {
                return "checkAllow " + e.rule().id() + ":" + e.objectPattern();
            }
        }
        return null;
    }

    /** The setting's text, normalized. */
    @Override
    public String toString() {
        return text;
    }
}
