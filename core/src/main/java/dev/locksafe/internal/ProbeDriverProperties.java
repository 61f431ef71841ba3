package dev.locksafe.internal;

import java.util.Properties;

/**
 * The JDBC driver properties of a blocker-lookup connection that an adapter opens itself (from a URL),
 * in one place for every adapter: the lookup names itself, and its connect is bounded, since the lookup
 * may fail or come late but must never hang.
 */
public final class ProbeDriverProperties {

    /** {@code application_name} of the lookup connection, as other sessions see it. */
    private static final String APPLICATION_NAME = "locksafe-probe";
    /** pgjdbc's {@code connectTimeout} and {@code loginTimeout}, in seconds (its unit). */
    private static final String CONNECT_TIMEOUT_SECONDS = "5";

    private ProbeDriverProperties() {
    }

    /**
     * A copy of {@code base} (the migration connection's own properties, credentials included) for the
     * lookup connection: its application name, and connect and login timeouts unless {@code base} sets
     * them (a value in the JDBC URL wins over both in pgjdbc).
     */
    public static Properties of(Properties base) {
        Properties properties = new Properties();
        if (base != null) {
            properties.putAll(base);
        }
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        properties.putIfAbsent("connectTimeout", CONNECT_TIMEOUT_SECONDS);
        properties.putIfAbsent("loginTimeout", CONNECT_TIMEOUT_SECONDS);
        return properties;
    }
}
