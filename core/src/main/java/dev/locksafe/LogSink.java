package dev.locksafe;

import org.slf4j.Logger;

/**
 * Where LockSafe's own lines go: SLF4J, or a host tool's own log (Flyway's console, Liquibase's UI), so
 * that a host without an SLF4J provider still shows them. An integration passes its sink to
 * {@link AttemptListener#logging(LogSink)} and that listener to {@link LockSafe.Builder#listener}; the
 * engine's own warnings (a blocker lookup that failed, a listener that threw, the cleanup of a failed
 * concurrent index build) then go to the same sink. Messages come
 * as an SLF4J template with arguments so SLF4J keeps them parameterized; other sinks format them with
 * {@link #format}.
 */
public interface LogSink {

    /** A retry or an exhaustion. */
    void warn(String template, Object... args);

    /** A success after retries. */
    void info(String template, Object... args);

    /**
     * The template with each {@code {}} replaced by the next argument, as SLF4J does. Written out here
     * because hosts such as Maven 3 give plugins SLF4J 1.7, which lacks SLF4J 2's formatter methods.
     */
    static String format(String template, Object... args) {
        StringBuilder sb = new StringBuilder(template.length() + 64);
        int from = 0;
        int arg = 0;
        for (int at = template.indexOf("{}"); at >= 0 && arg < args.length; at = template.indexOf("{}", from)) {
            sb.append(template, from, at).append(args[arg++]);
            from = at + 2;
        }
        return sb.append(template, from, template.length()).toString();
    }

    /** A sink writing to an SLF4J logger. */
    static LogSink of(Logger logger) {
        return new LogSink() {
            @Override
            public void warn(String template, Object... args) {
                logger.warn(template, args);
            }

            @Override
            public void info(String template, Object... args) {
                logger.info(template, args);
            }
        };
    }
}
