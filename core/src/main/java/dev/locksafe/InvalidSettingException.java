package dev.locksafe;

/**
 * A LockSafe setting has a value that cannot be used. The message names the setting, the value that
 * was given, and what is accepted, for example:
 * {@code Invalid LockSafe setting lockTimeout='1s; DROP TABLE x': expected a duration such as 250ms, 2s, 1m, PT2S or a whole number of milliseconds}.
 *
 * <p>Thrown while settings are built, so before any SQL runs.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private final String key;
    private final String value;
    private final String accepted;

    InvalidSettingException(String key, String value, String accepted) {
        super("Invalid LockSafe setting " + key + "='" + value + "': " + accepted);
        this.key = key;
        this.value = value;
        this.accepted = accepted;
    }

    /**
     * The same message with the key as the host tool spells it, for example
     * {@code flyway.locksafe.lockTimeout}.
     */
    public String messageWithKeyPrefix(String prefix) {
        return messageFor(prefix + key);
    }

    /**
     * The same message with the setting named as a front end names it, for example
     * {@code quarkus.locksafe.lock-timeout} or {@code locksafe.lock-timeout}.
     */
    public String messageFor(String name) {
        return "Invalid LockSafe setting " + name + "='" + value + "': " + accepted;
    }

    /** What the setting accepts, for example {@code expected true or false}. */
    public String accepted() {
        return accepted;
    }

    /** The setting's key as written in the settings table, for example {@code lockTimeout}. */
    public String key() {
        return key;
    }

    /** The rejected value as it was given (a string form for values set through the builder). */
    public String value() {
        return value;
    }
}
