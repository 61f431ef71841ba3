package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.LockSafeSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckSettingsTest {

    private static Finding finding(Rule rule, String object) {
        return new Finding(rule, rule.defaultSeverity(), "V2__x.sql", object, null, null);
    }

    @Test
    void checkAllowMatchesARuleAndAnObjectWithStarsForAnyCharacters() {
        AllowList allow = LockSafeSettings.fromMap(Map.of("checkAllow", " B101:public.orders.note , b103:public.orders.* "))
                .checkAllow();
        assertThat(allow.toString()).isEqualTo("B101:public.orders.note,B103:public.orders.*");
        assertThat(allow.reason(finding(Rule.B101, "public.orders.note"))).isEqualTo("checkAllow B101:public.orders.note");
        assertThat(allow.reason(finding(Rule.B101, "public.orders.notes"))).isNull();
        assertThat(allow.reason(finding(Rule.B102, "public.orders.note"))).isNull();
        assertThat(allow.reason(finding(Rule.B103, "public.orders.qty"))).isNotNull();
        assertThat(allow.reason(finding(Rule.B103, "public.invoices.qty"))).isNull();
    }

    @Test
    void badCheckAllowAndCheckSeverityValuesAreRefusedNamingTheKeyAndWhatIsWrong() {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkAllow", "public.orders.note")))
                .hasMessageContaining("Invalid LockSafe setting checkAllow='public.orders.note'")
                .hasMessageContaining("'public.orders.note' is not RULE:object");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkAllow", "B999:x")))
                .hasMessageContaining("unknown rule B999: known rules are B101");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkSeverity", "B106:fatal")))
                .hasMessageContaining("Invalid LockSafe setting checkSeverity='B106:fatal'")
                .hasMessageContaining("the severity must be error, warning, info or off");
    }

    @Test
    void checkSeverityChangesARulesUsualCaseOrTurnsItOff() {
        SeverityOverrides s = LockSafeSettings.fromMap(Map.of("checkSeverity", "b106:ERROR, L206:off")).checkSeverity();
        assertThat(s.toString()).isEqualTo("B106:error,L206:off");
        assertThat(s.severity(Rule.B106, Severity.WARNING)).isEqualTo(Severity.ERROR);
        assertThat(s.off(Rule.L206)).isTrue();
        assertThat(s.off(Rule.B101)).isFalse();
        // a case the check itself lowered (B104 with a view of the old name) keeps its severity
        SeverityOverrides b104 = SeverityOverrides.parse("B104:warning");
        assertThat(b104.severity(Rule.B104, Severity.INFO)).isEqualTo(Severity.INFO);
        assertThat(b104.severity(Rule.B104, Severity.ERROR)).isEqualTo(Severity.WARNING);
    }

    @Test
    void unsetCheckSettingsMeanNothingAllowedNoOverrideAndNoReport() {
        LockSafeSettings d = LockSafeSettings.defaults();
        assertThat(d.checkAllow().reason(finding(Rule.B101, "public.orders.note"))).isNull();
        assertThat(d.checkSeverity().off(Rule.L206)).isFalse();
        assertThat(d.checkReport()).isEmpty();
        assertThat(d.asMap()).doesNotContainKeys("checkAllow", "checkSeverity", "checkReport");
    }
}
