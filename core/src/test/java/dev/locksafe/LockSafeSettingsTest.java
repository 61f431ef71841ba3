package dev.locksafe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class LockSafeSettingsTest {

    @Test
    void defaultsMatchTheSettingsTable() {
        LockSafeSettings s = LockSafeSettings.defaults();
        assertThat(s.enabled()).isTrue();
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.lockTimeoutMultiplier()).isEqualTo(1.0);
        assertThat(s.maxLockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.statementTimeout()).isEmpty();
        assertThat(s.maxAttempts()).isEqualTo(10);
        assertThat(s.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.backoffMultiplier()).isEqualTo(3.0);
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.jitter()).isEqualTo(0.5);
        assertThat(s.retrySqlStates()).containsExactly("55P03");
        assertThat(s.finalAttemptWithoutLockTimeout()).isFalse();
        assertThat(s.logBlockers()).isTrue();
    }

    @Test
    void parsingEachDefaultTextGivesTheDefaults() {
        Map<String, String> raw = new HashMap<>();
        for (Setting s : Setting.values()) {
            if (!s.defaultValue().isEmpty()) {
                raw.put(s.key(), s.defaultValue());
            }
        }
        assertThat(LockSafeSettings.fromMap(raw)).isEqualTo(LockSafeSettings.defaults());
    }

    @Test
    void everyKeyIsReadFromAMap() {
        Map<String, String> raw = new HashMap<>();
        raw.put("enabled", "false");
        raw.put("lockTimeout", "250ms");
        raw.put("lockTimeoutMultiplier", "1.5");
        raw.put("maxLockTimeout", "2s");
        raw.put("statementTimeout", "1m");
        raw.put("maxAttempts", "4");
        raw.put("initialBackoff", "PT0.1S");
        raw.put("backoffMultiplier", "3");
        raw.put("maxBackoff", "750");
        raw.put("jitter", "0");
        raw.put("retrySqlStates", "55p03, 40P01");
        raw.put("finalAttemptWithoutLockTimeout", "TRUE");
        raw.put("logBlockers", "false");

        LockSafeSettings s = LockSafeSettings.fromMap(raw);

        assertThat(s.enabled()).isFalse();
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.lockTimeoutMultiplier()).isEqualTo(1.5);
        assertThat(s.maxLockTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.statementTimeout()).contains(Duration.ofMinutes(1));
        assertThat(s.maxAttempts()).isEqualTo(4);
        assertThat(s.initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.backoffMultiplier()).isEqualTo(3.0);
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.jitter()).isEqualTo(0.0);
        assertThat(s.retrySqlStates()).containsExactlyInAnyOrder("55P03", "40P01");
        assertThat(s.finalAttemptWithoutLockTimeout()).isTrue();
        assertThat(s.logBlockers()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"250ms,250", "2s,2000", "1m,60000", "1h,3600000", "PT2S,2000", "pt0.5s,500", "1500,1500", " 3s ,3000",
            "10 ms,10"})
    void durationsAcceptTheDocumentedForms(String text, long millis) {
        LockSafeSettings s = LockSafeSettings.fromMap(Map.of("lockTimeout", text));
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void kebabCaseAndUpperSnakeKeysAreAccepted() {
        LockSafeSettings s = LockSafeSettings.fromMap(Map.of("lock-timeout", "1s", "MAX_ATTEMPTS", "3"));
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.maxAttempts()).isEqualTo(3);
    }

    @Test
    void unknownKeysAreIgnoredAndTheClosestKeyIsSuggested() {
        LockSafeSettings s = LockSafeSettings.fromMap(Map.of("lockTimout", "1s"));
        assertThat(s).isEqualTo(LockSafeSettings.defaults());
        assertThat(LockSafeSettings.closestKey("lockTimout")).isEqualTo("lockTimeout");
        assertThat(LockSafeSettings.closestKey("maxAttempt")).isEqualTo("maxAttempts");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lockTimeout|1s'; DROP TABLE x; --|expected a duration such as 250ms",
            "lockTimeout|-5ms|expected a duration such as 250ms",
            "lockTimeout|0|expected a duration between 1ms and 24h",
            "lockTimeout|25h|expected a duration between 1ms and 24h",
            "lockTimeout|1.5s|expected a duration such as 250ms",
            "lockTimeout|99999999999999999|expected a duration",
            "statementTimeout|soon|expected a duration such as 250ms",
            "maxLockTimeout|0ms|expected a duration between 1ms and 24h",
            "initialBackoff|0|expected a duration between 1ms and 1h",
            "maxBackoff|2h|expected a duration between 1ms and 1h",
            "maxAttempts|0|expected a whole number between 1 and 1000",
            "maxAttempts|1001|expected a whole number between 1 and 1000",
            "maxAttempts|ten|expected a whole number between 1 and 1000",
            "maxAttempts|2147483648|expected a whole number between 1 and 1000",
            "maxAttempts|99999999999|expected a whole number between 1 and 1000",
            "lockTimeoutMultiplier|0.5|expected a number between 1.0 and 100.0",
            "lockTimeoutMultiplier|NaN|expected a decimal number",
            "backoffMultiplier|Infinity|expected a decimal number",
            "backoffMultiplier|1e9|expected a number between 1.0 and 100.0",
            "jitter|1.5|expected a number between 0.0 and 1.0",
            "jitter|-0.1|expected a number between 0.0 and 1.0",
            "jitter|half|expected a decimal number",
            "enabled|yes|expected true or false",
            "logBlockers|1|expected true or false",
            "finalAttemptWithoutLockTimeout|maybe|expected true or false",
            "retrySqlStates|55P03;DROP|expected comma-separated five-character SQLSTATE codes",
            "retrySqlStates|55P03,,40P01|expected comma-separated five-character SQLSTATE codes",
            "retrySqlStates|lock|expected comma-separated five-character SQLSTATE codes"})
    void invalidValuesNameTheKeyTheValueAndWhatIsAccepted(String key, String value, String accepted) {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of(key, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(accepted)
                .satisfies(e -> assertThat(((InvalidSettingException) e).key()).isEqualTo(key));
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void emptyValuesAreRejectedForEveryKey(Setting setting) {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of(setting.key(), "  ")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(setting.key())
                .hasMessageContaining("a value is required");
    }

    @Test
    void theRejectedValueIsQuotedInTheMessage() {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("lockTimeout", "1s'; DROP TABLE x; --")))
                .hasMessage("Invalid LockSafe setting lockTimeout='1s'; DROP TABLE x; --': expected a duration"
                        + " such as 250ms, 2s, 1m, 1h, PT2S or a whole number of milliseconds");
    }

    @Test
    void initialBackoffAboveMaxBackoffIsRejected() {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("initialBackoff", "1m")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("initialBackoff='1m'")
                .hasMessageContaining("at most maxBackoff (30s)");
    }

    @Test
    void escalationNeedsTheFirstLockTimeoutBelowTheCap() {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("lockTimeout", "10s", "lockTimeoutMultiplier", "2")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("lockTimeout='10s'")
                .hasMessageContaining("maxLockTimeout (5s)");
        // without escalation a long first timeout is fine
        assertThat(LockSafeSettings.fromMap(Map.of("lockTimeout", "10s")).lockTimeoutForAttempt(3))
                .contains(Duration.ofSeconds(10));
    }

    @Test
    void lockTimeoutEscalatesPerAttemptUpToTheCap() {
        LockSafeSettings s = LockSafeSettings.builder().lockTimeout(Duration.ofMillis(100)).lockTimeoutMultiplier(2.0)
                .maxLockTimeout(Duration.ofMillis(500)).maxAttempts(6).build();
        assertThat(s.lockTimeoutForAttempt(1)).contains(Duration.ofMillis(100));
        assertThat(s.lockTimeoutForAttempt(2)).contains(Duration.ofMillis(200));
        assertThat(s.lockTimeoutForAttempt(3)).contains(Duration.ofMillis(400));
        assertThat(s.lockTimeoutForAttempt(4)).contains(Duration.ofMillis(500));
        assertThat(s.lockTimeoutForAttempt(6)).contains(Duration.ofMillis(500));
    }

    @Test
    void finalAttemptRunsWithoutLockTimeoutOnlyWhenConfigured() {
        LockSafeSettings s = LockSafeSettings.builder().maxAttempts(3).finalAttemptWithoutLockTimeout(true).build();
        assertThat(s.lockTimeoutForAttempt(2)).contains(Duration.ofMillis(200));
        assertThat(s.lockTimeoutForAttempt(3)).isEmpty();
        assertThat(s.toBuilder().finalAttemptWithoutLockTimeout(false).build().lockTimeoutForAttempt(3))
                .contains(Duration.ofMillis(200));
    }

    @Test
    void builderRejectsBadValuesAtTheSetter() {
        assertThatThrownBy(() -> LockSafeSettings.builder().maxAttempts(0))
                .hasMessage("Invalid LockSafe setting maxAttempts='0': expected a whole number between 1 and 1000");
        assertThatThrownBy(() -> LockSafeSettings.builder().lockTimeout(Duration.ofMillis(-1)))
                .hasMessageContaining("lockTimeout='-1ms'");
        assertThatThrownBy(() -> LockSafeSettings.builder().retrySqlStates(Set.of("x'--")))
                .hasMessageContaining("retrySqlStates='x'--'");
    }

    @Test
    void statementTimeoutZeroMeansNoTimeoutAndNullMeansServerDefault() {
        assertThat(LockSafeSettings.fromMap(Map.of("statementTimeout", "0")).statementTimeout()).contains(Duration.ZERO);
        assertThat(LockSafeSettings.builder().statementTimeout(Duration.ofSeconds(1)).statementTimeout(null).build()
                .statementTimeout()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"enabled", "lockTimeout", "retrySqlStates", "finalAttemptWithoutLockTimeout"})
    void settingKeysHaveKebabAndSnakeForms(String key) {
        Setting s = Setting.find(key).orElseThrow();
        assertThat(s.kebabKey()).doesNotContainPattern("[A-Z]");
        assertThat(s.upperSnakeKey()).isEqualTo(s.kebabKey().replace('-', '_').toUpperCase());
    }

    @Test
    void asMapListsEverySetSettingAndReadsBackAsTheSameSettings() {
        LockSafeSettings custom = LockSafeSettings.builder().lockTimeout(Duration.ofMillis(321))
                .statementTimeout(Duration.ofSeconds(30)).retrySqlStates(Set.of("55P03", "40P01")).jitter(0.25)
                .parse(Setting.CHECK_ALLOW, "B101:public.orders.note").parse(Setting.CHECK_SEVERITY, "L206:off")
                .parse(Setting.CHECK_REPORT, "target/zdd").parse(Setting.CHECK_SCHEMAS, "public, billing").build();
        assertThat(custom.asMap().keySet()).containsExactlyElementsOf(
                EnumSet.allOf(Setting.class).stream().map(Setting::key).toList());
        assertThat(LockSafeSettings.fromMap(custom.asMap())).isEqualTo(custom);
        assertThat(LockSafeSettings.fromMap(LockSafeSettings.defaults().asMap())).isEqualTo(LockSafeSettings.defaults());
        assertThat(LockSafeSettings.defaults().asMap()).doesNotContainKey("statementTimeout");
        assertThat(custom.toString()).contains("lockTimeout=321ms", "statementTimeout=30s");
    }

    @Test
    void checkTakesOffWarnOrFailInAnyLetterCaseAndRefusesAnythingElseSayingWhatIsAccepted() {
        assertThat(LockSafeSettings.defaults().check()).isEqualTo(dev.locksafe.check.CheckMode.WARN);
        assertThat(LockSafeSettings.fromMap(Map.of("check", " FAIL ")).check()).isEqualTo(dev.locksafe.check.CheckMode.FAIL);
        assertThat(LockSafeSettings.fromMap(Map.of("check", "warn")).asMap()).containsEntry("check", "warn");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("check", "strict")))
                .hasMessage("Invalid LockSafe setting check='strict': expected one of off, warn, fail");
    }
}
