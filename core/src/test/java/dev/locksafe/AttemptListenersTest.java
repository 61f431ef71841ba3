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
            AttemptListeners.global().onSuccess(event());
            first.close();
            AttemptListeners.global().onSuccess(event());
        }
        AttemptListeners.global().onSuccess(event());
        assertThat(heard).containsExactly("first V1", "second V1", "second V1");
    }

    @Test
    void aFailingListenerDoesNotKeepTheOthersFromHearing() {
        List<String> heard = new ArrayList<>();
        try (Registration broken = AttemptListeners.register(new AttemptListener() {
                 @Override
                 public void onSuccess(AttemptEvent e) {
                     throw new IllegalStateException("broken listener");
                 }
             });
             Registration working = AttemptListeners.register(new AttemptListener() {
                 @Override
                 public void onSuccess(AttemptEvent e) {
                     heard.add(e.unitId());
                 }
             })) {
            AttemptListeners.global().onSuccess(event());
        }
        assertThat(heard).containsExactly("V1");
    }
}
