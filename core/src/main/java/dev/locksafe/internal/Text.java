package dev.locksafe.internal;

import java.util.regex.Pattern;

/** Makes SQL text safe and short enough for one log line. */
public final class Text {

    /** Longest statement or query text put into a log line. */
    public static final int MAX_SQL_LENGTH = 200;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** Control characters that are not whitespace (ESC of terminal colour codes, NUL, DEL, ...). */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\s]]|[\\u0085\\u2028\\u2029]");
    /** Whitespace and comments, which SQL allows between {@code PASSWORD} and its literal. */
    private static final String GAP = "(?:\\s|/\\*.*?\\*/|--[^\\n]*(?:\\n|$))*";
    /**
     * {@code PASSWORD}, then any gap (and an {@code =}), then any form of string literal: plain,
     * {@code E'...'} with backslash escapes, {@code U&'...'} (with {@code UESCAPE}), or dollar-quoted.
     */
    private static final Pattern PASSWORD_LITERAL = Pattern.compile("(?is)(\\bpassword" + GAP + "(?:=" + GAP + ")?)"
            + "(E'(?:[^'\\\\]|\\\\.|'')*'|U&'(?:[^']|'')*'(?:" + GAP + "uescape" + GAP + "'[^']*')?"
            + "|'(?:[^']|'')*'|\\$([A-Za-z0-9_]*)\\$.*?\\$\\3\\$)");
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;\\s]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)(://[^/:@\\s]+:)[^@\\s]+@");

    private Text() {
    }

    /**
     * One line: leading comments skipped (a licence header would otherwise fill the line), whitespace
     * collapsed, passwords masked, cut to {@link #MAX_SQL_LENGTH} characters with an ellipsis. Never splits
     * a surrogate pair.
     */
    public static String shortenSql(String sql) {
        if (sql == null) {
            return null;
        }
        String oneLine = oneLine(maskSecrets(withoutLeadingComments(sql)));
        if (oneLine.length() <= MAX_SQL_LENGTH) {
            return oneLine;
        }
        int end = MAX_SQL_LENGTH;
        if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
            end--;
        }
        return oneLine.substring(0, end) + "...";
    }

    /**
     * {@code sql} from its first token that is not a comment: {@code --} line comments and {@code /* *}{@code /}
     * block comments (nested, as PostgreSQL allows) are skipped. Text that is all comment is returned as it is.
     */
    static String withoutLeadingComments(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char ch = sql.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int depth = 0;
                int j = i;
                while (j < n) {
                    if (sql.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (sql.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        j++;
                    }
                }
                i = j;
            } else {
                return sql.substring(i);
            }
        }
        return sql;
    }

    /**
     * Safe for one log line: whitespace (line breaks included) collapsed to single spaces, other control
     * characters shown as {@code \\uXXXX}, so a name or statement can neither forge a log line nor
     * send terminal escape codes. Unicode text is kept as it is.
     */
    public static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        String collapsed = WHITESPACE.matcher(text).replaceAll(" ").trim();
        return CONTROL.matcher(collapsed).replaceAll(m -> String.format("\\\\u%04X", (int) m.group().charAt(0)));
    }

    /** Masks {@code PASSWORD '...'} literals and passwords in JDBC URLs. */
    public static String maskSecrets(String text) {
        String masked = PASSWORD_LITERAL.matcher(text).replaceAll("$1'***'");
        masked = URL_PASSWORD.matcher(masked).replaceAll("$1***");
        return URL_USERINFO.matcher(masked).replaceAll("$1***@");
    }
}
