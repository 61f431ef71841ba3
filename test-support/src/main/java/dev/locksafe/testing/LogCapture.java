package dev.locksafe.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Collects what is logged under a logger name (logback), for assertions on log output. Safe to read from
 * another thread while the migration logs (a blocker released "once the log shows a failed attempt" polls
 * it): logback's {@code ListAppender} is a plain {@code ArrayList} appended to without a lock the reader
 * can take, so a read during a resize could throw and the release never happened.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.setName("LogCapture-" + loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts collecting everything logged under {@code loggerName} and its children. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** The formatted messages so far, in the order they were logged. */
    public List<String> messages() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The messages containing {@code text}. */
    public List<String> messagesContaining(String text) {
        return messages().stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
