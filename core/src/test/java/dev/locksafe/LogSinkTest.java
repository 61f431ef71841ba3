package dev.locksafe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSinkTest {

    @Test
    void formatFillsPlaceholdersInOrderLikeSlf4j() {
        assertThat(LogSink.format("{} attempt {}/{}", "V2", 1, 10)).isEqualTo("V2 attempt 1/10");
    }

    @Test
    void formatLeavesSurplusPlaceholdersAndIgnoresSurplusArguments() {
        assertThat(LogSink.format("a {} b {}", "x")).isEqualTo("a x b {}");
        assertThat(LogSink.format("no placeholders", "x")).isEqualTo("no placeholders");
        assertThat(LogSink.format("{}", (Object) null)).isEqualTo("null");
    }
}
