package dev.locksafe.testing;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One valid value per setting, each different from its default and together a valid policy: what the
 * round-trip tests of every front end set, key by key, and expect back. A setting added to {@link Setting}
 * without a sample here fails every one of those tests at once, which is the point.
 */
public final class SettingSamples {

    private static final Map<Setting, String> SAMPLES;

    static {
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.ENABLED, "false");
        m.put(Setting.LOCK_TIMEOUT, "250ms");
        m.put(Setting.LOCK_TIMEOUT_MULTIPLIER, "1.5");
        m.put(Setting.MAX_LOCK_TIMEOUT, "4s");
        m.put(Setting.STATEMENT_TIMEOUT, "1m");
        m.put(Setting.MAX_ATTEMPTS, "7");
        m.put(Setting.INITIAL_BACKOFF, "2s");
        m.put(Setting.BACKOFF_MULTIPLIER, "2.5");
        m.put(Setting.MAX_BACKOFF, "45s");
        m.put(Setting.JITTER, "0.25");
        m.put(Setting.RETRY_SQL_STATES, "40P01,55P03");
        m.put(Setting.FINAL_ATTEMPT_WITHOUT_LOCK_TIMEOUT, "true");
        m.put(Setting.LOG_BLOCKERS, "false");
        m.put(Setting.CHECK, "fail");
        m.put(Setting.CHECK_ALLOW, "B101:public.orders.note,B103:public.orders.*");
        m.put(Setting.CHECK_SEVERITY, "B106:error,L206:off");
        m.put(Setting.CHECK_REPORT, "target/zdd");
        m.put(Setting.CHECK_SCHEMAS, "public,billing");
        m.put(Setting.CHECK_MAX_EXCLUSIVE_HOLD, "3s");
        Set<Setting> missing = EnumSet.allOf(Setting.class);
        missing.removeAll(m.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("SettingSamples has no sample for " + missing + ": add one");
        }
        SAMPLES = Collections.unmodifiableMap(m);
    }

    private SettingSamples() {
    }

    /** The sample text of every setting. */
    public static Map<Setting, String> all() {
        return SAMPLES;
    }

    /** The settings the samples describe, written back as text keyed by {@link Setting#key()}. */
    public static Map<String, String> expectedAsMap() {
        LockSafeSettings.Builder b = LockSafeSettings.builder();
        SAMPLES.forEach(b::parse);
        return b.build().asMap();
    }
}
