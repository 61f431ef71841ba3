package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AllowMarkersTest {

    @Test
    void aMarkerNamesOneOrMoreRulesWithTheirReason() {
        AllowMarkers m = AllowMarkers.in("-- locksafe:allow B101, b103 reason: unused since release 41 (#1234)\n"
                + "ALTER TABLE orders DROP COLUMN note;\n-- locksafe:allow L206 reason: tiny table\n");
        assertThat(m.rules()).containsExactly(Rule.B101, Rule.B103, Rule.L206);
        assertThat(m.reason(Rule.B101)).isEqualTo("unused since release 41 (#1234)");
        assertThat(m.reason(Rule.L206)).isEqualTo("tiny table");
        assertThat(m.reason(Rule.B102)).isNull();
    }

    @Test
    void noMarkerMeansNothingIsAllowed() {
        assertThat(AllowMarkers.in("ALTER TABLE orders DROP COLUMN note;").rules()).isEmpty();
        assertThat(AllowMarkers.in(null).rules()).isEmpty();
    }

    @Test
    void aMarkerWithoutAReasonOrWithAnUnknownRuleIsRefusedSayingWhatIsExpected() {
        assertThatThrownBy(() -> AllowMarkers.in("-- locksafe:allow B101\n"))
                .hasMessageContaining("'locksafe:allow B101' has no reason")
                .hasMessageContaining("-- locksafe:allow B101 reason: why it is safe");
        assertThatThrownBy(() -> AllowMarkers.in("-- locksafe:allow B101 reason:   \n"))
                .hasMessageContaining("has no reason");
        assertThatThrownBy(() -> AllowMarkers.in("-- locksafe:allow B999 reason: x\n"))
                .hasMessageContaining("unknown rule B999");
        assertThatThrownBy(() -> AllowMarkers.in("-- locksafe:allow everything\n"))
                .hasMessageContaining("names no rule");
    }
}
