package dev.locksafe.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.locksafe.check=warn} (the default): a migration at start that drops a column is applied, and
 * its finding is counted in the application's registry, although it was judged before quarkus-micrometer
 * attached its registries.
 */
class QuarkusZddFindingsMetricsTest {

    private static final AppDatabase DATABASE = AppDatabase.of(QuarkusZddFindingsMetricsTest.class);

    @RegisterExtension
    static final QuarkusUnitTest APP = DATABASE.droppingAProductionColumnAtStart();

    @Inject
    MeterRegistry meters;

    @Test
    void theFindingIsCountedByRuleAndSeverity() {
        assertThat(meters.get("locksafe.zdd.findings").tag("tool", "flyway").tag("rule", "B101")
                .tag("severity", "error").tag("allowed", "false").counter().count()).isEqualTo(1.0);
    }
}
