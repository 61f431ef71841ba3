package dev.locksafe.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

class LockSafePropertiesTest {

    @Test
    void defaultsAreLockSafesDefaults() {
        // the property defaults are literals (so the configuration metadata shows them): keep them in step
        assertThat(new LockSafeProperties().toSettings()).isEqualTo(LockSafeSettings.defaults());
    }

    @Test
    void everyPropertyReachesTheSettings() {
        LockSafeProperties p = new LockSafeProperties();
        p.setLockTimeout(Duration.ofMillis(321));
        p.setStatementTimeout(Duration.ofSeconds(9));
        p.setMaxAttempts(4);
        p.setRetrySqlStates(List.of("55P03", "40P01"));
        p.setLogBlockers(false);
        LockSafeSettings s = p.toSettings();
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofMillis(321));
        assertThat(s.statementTimeout()).contains(Duration.ofSeconds(9));
        assertThat(s.maxAttempts()).isEqualTo(4);
        assertThat(s.retrySqlStates()).containsExactlyInAnyOrder("55P03", "40P01");
        assertThat(s.logBlockers()).isFalse();
    }

    @Test
    void failureAnalysisNamesTheSpringPropertyAndTheEnvironmentVariable() {
        LockSafeProperties p = new LockSafeProperties();
        p.setMaxBackoff(Duration.ofHours(2));
        InvalidSettingException e = (InvalidSettingException) org.assertj.core.api.Assertions.catchThrowable(p::toSettings);
        FailureAnalysis analysis = new LockSafeSettingFailureAnalyzer().analyze(new IllegalStateException(e), e);
        assertThat(analysis.getDescription())
                .isEqualTo("Invalid LockSafe setting locksafe.max-backoff='2h': expected a duration between 1ms and 1h.");
        assertThat(analysis.getAction()).contains("locksafe.max-backoff", "LOCKSAFE_MAX_BACKOFF");
        assertThatThrownBy(p::toSettings).isInstanceOf(InvalidSettingException.class);
    }
}
