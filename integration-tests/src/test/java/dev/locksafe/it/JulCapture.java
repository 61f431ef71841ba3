package dev.locksafe.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what is logged through java.util.logging (Liquibase's default log service) while open. */
final class JulCapture extends Handler implements AutoCloseable {

    private final List<String> messages = new CopyOnWriteArrayList<>();

    private JulCapture() {
        Logger.getLogger("").addHandler(this);
    }

    static JulCapture start() {
        return new JulCapture();
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    List<String> messagesContaining(String text) {
        return messages.stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        messages.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
