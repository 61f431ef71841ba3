package dev.locksafe.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Setting;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;

class LockSafePropertiesTest {

    private static LockSafeSettings bind(Map<String, String> properties) {
        return LockSafeProperties.bind(new Binder(new MapConfigurationPropertySource(properties)));
    }

    @Test
    void noPropertiesGiveLockSafesDefaults() {
        assertThat(bind(Map.of())).isEqualTo(LockSafeSettings.defaults());
    }

    @Test
    void retrySqlStatesIsReadAsAListOrAsCommaSeparatedText() {
        assertThat(bind(Map.of("locksafe.retry-sql-states[0]", "55P03", "locksafe.retry-sql-states[1]", "40P01"))
                .retrySqlStates()).containsExactly("40P01", "55P03");
        assertThat(bind(Map.of("locksafe.retry-sql-states", "55P03, 40P01")).retrySqlStates())
                .containsExactly("40P01", "55P03");
    }

    @Test
    void aBadValueIsRefusedWithLockSafesMessageAndTheFailureAnalysisNamesThePropertyAndTheVariable() {
        Throwable thrown = catchThrowable(() -> bind(Map.of("locksafe.max-backoff", "2h")));
        assertThat(thrown).isInstanceOf(InvalidSettingException.class);
        InvalidSettingException e = (InvalidSettingException) thrown;
        FailureAnalysis analysis = new LockSafeSettingFailureAnalyzer().analyze(new IllegalStateException(e), e);
        assertThat(analysis.getDescription())
                .isEqualTo("Invalid LockSafe setting locksafe.max-backoff='2h': expected a duration between 1ms and 1h.");
        assertThat(analysis.getAction()).contains("locksafe.max-backoff", "LOCKSAFE_MAX_BACKOFF");
    }

    @Test
    void theConfigurationMetadataDescribesEverySettingWithItsTypeAndDefault() {
        String json = SpringConfigurationMetadata.json();
        for (Setting s : Setting.values()) {
            assertThat(json).contains("\"name\": \"locksafe." + s.kebabKey() + "\"", s.description());
        }
        assertThat(json).contains("\"name\": \"locksafe.lock-timeout\", \"type\": \"java.time.Duration\"")
                .contains("\"defaultValue\": \"200ms\"")
                .contains("\"name\": \"locksafe.max-attempts\", \"type\": \"java.lang.Integer\"")
                .contains("\"defaultValue\": [\"55P03\"]");
        assertThat(Duration.parse("PT0.2S")).isEqualTo(LockSafeSettings.defaults().lockTimeout());
    }
}
