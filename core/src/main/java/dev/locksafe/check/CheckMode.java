package dev.locksafe.check;

import java.util.Locale;

/** What the ZDD check does: the {@code check} setting. */
public enum CheckMode {
    /** No snapshot, no query: the check does not run. */
    OFF,
    /** Findings are logged (and reported); migrations proceed. A failure of the check itself is logged only. */
    WARN,
    /** As {@link #WARN}, and a transactional migration with an error finding is rolled back and migrate fails. */
    FAIL;

    /** The setting's text: {@code off}, {@code warn}, {@code fail}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
