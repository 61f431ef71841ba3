package dev.locksafe.it;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Keeps every event, and lets a test act when a retry happens. */
final class RecordingListener implements AttemptListener {

    final List<AttemptEvent> events = new CopyOnWriteArrayList<>();
    private final Consumer<AttemptEvent> onRetry;

    RecordingListener() {
        this(e -> { });
    }

    RecordingListener(Consumer<AttemptEvent> onRetry) {
        this.onRetry = onRetry;
    }

    @Override
    public void onRetry(AttemptEvent event) {
        events.add(event);
        onRetry.accept(event);
    }

    @Override
    public void onSuccessAfterRetry(AttemptEvent event) {
        events.add(event);
    }

    @Override
    public void onExhausted(AttemptEvent event) {
        events.add(event);
    }

    List<AttemptEvent.Type> types() {
        return events.stream().map(AttemptEvent::type).toList();
    }
}
