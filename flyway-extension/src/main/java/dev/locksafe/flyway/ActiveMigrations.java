package dev.locksafe.flyway;

import dev.locksafe.LockSafe;
import java.sql.Connection;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The migration that runs on each migration connection, from BEFORE_EACH_MIGRATE to AFTER_EACH_MIGRATE
 * (or its error). Flyway's database types are JVM-wide singletons that only see a {@link Connection},
 * so the callback that knows the migration leaves it here for them. Weak keys: a connection that is
 * dropped without an AFTER event cannot leak.
 */
final class ActiveMigrations {

    /** What a running migration needs: its name for logs and errors, and its engine. */
    static final class Active {
        final String id;
        final LockSafe engine;
        boolean warnedAboutTransactionalLock;

        Active(String id, LockSafe engine) {
            this.id = id;
            this.engine = engine;
        }
    }

    private static final Map<Connection, Active> BY_CONNECTION = Collections.synchronizedMap(new WeakHashMap<>());

    private ActiveMigrations() {
    }

    static void start(Connection connection, Active active) {
        Active previous = BY_CONNECTION.put(connection, active);
        if (previous != null) {
            previous.engine.close();
        }
    }

    static Active get(Connection connection) {
        return BY_CONNECTION.get(connection);
    }

    static void end(Connection connection) {
        Active active = BY_CONNECTION.remove(connection);
        if (active != null) {
            active.engine.close();
        }
    }
}
