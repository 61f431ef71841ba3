package dev.locksafe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptListenersTest {

    private static AttemptEvent event() {
        return AttemptEvent.builder(AttemptEvent.Type.SUCCESS, "api", "V1").attempt(1, 10)
                .lockTimeout(Duration.ofMillis(200)).attemptDuration(Duration.ofMillis(3))
                .at(Duration.ofMillis(3), Instant.now()).build();
    }

    @Test
    void registeredListenersHearEventsUntilTheirRegistrationIsClosed() {
        List<String> heard = new ArrayList<>();
        Registration first = AttemptListeners.register(new AttemptListener() {
            @Override
            public void onSuccess(AttemptEvent e) {
                heard.add("first " + e.unitId());
            }
        });
        try (Registration second = AttemptListeners.register(new AttemptListener() {
            @Override
            public void onSuccess(AttemptEvent e) {
                heard.add("second " + e.unitId());
            }
        })) {
            AttemptListeners.current().forEach(l -> l.onSuccess(event()));
            first.close();
            AttemptListeners.current().forEach(l -> l.onSuccess(event()));
        }
        AttemptListeners.current().forEach(l -> l.onSuccess(event()));
        assertThat(heard).containsExactly("first V1", "second V1", "second V1");
    }
}
