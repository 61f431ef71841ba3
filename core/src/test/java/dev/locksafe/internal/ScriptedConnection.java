package dev.locksafe.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JDBC connection that answers LockSafe's own session queries (the timeouts' set and restore, the
 * invalid-index lookup) and records them, for unit tests of the engine's scheduling: waits, attempts,
 * listeners, failure paths. Locking itself is never tested against this: the integration tests run
 * every lock on a real PostgreSQL.
 */
final class ScriptedConnection {

    /** The SQL of each query LockSafe ran, in order. */
    final List<String> statements = new CopyOnWriteArrayList<>();
    /** The {@code lock_timeout} value of each set_config(), in order. */
    final List<String> lockTimeoutsSet = new CopyOnWriteArrayList<>();
    final List<String> savepointCalls = new CopyOnWriteArrayList<>();
    /** Thrown when a query whose SQL contains the key runs. */
    final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
    private final boolean autoCommit;

    ScriptedConnection(boolean autoCommit) {
        this.autoCommit = autoCommit;
    }

    Connection connection() {
        return proxy(Connection.class, (p, method, args) -> {
            switch (method.getName()) {
                case "getAutoCommit":
                    return autoCommit;
                case "prepareStatement":
                    return statement((String) args[0]);
                case "createStatement":
                    return proxy(Statement.class, (p2, m2, a2) -> {
                        if (m2.getName().equals("execute")) {
                            query((String) a2[0], List.of());
                            return false;
                        }
                        if (m2.getName().startsWith("execute")) {
                            return query((String) a2[0], List.of());
                        }
                        return defaultValue(m2.getReturnType());
                    });
                case "setSavepoint":
                    savepointCalls.add("set");
                    return proxy(Savepoint.class, (p2, m2, a2) -> defaultValue(m2.getReturnType()));
                case "rollback":
                    savepointCalls.add(args == null ? "rollback" : "rollback to savepoint");
                    return null;
                case "releaseSavepoint":
                    savepointCalls.add("release");
                    return null;
                case "isClosed":
                    return false;
                case "toString":
                    return "ScriptedConnection";
                default:
                    return defaultValue(method.getReturnType());
            }
        });
    }

    private PreparedStatement statement(String sql) {
        List<Object> parameters = new ArrayList<>();
        String[] parts = sql.split("; ");
        int[] part = {0};
        return proxy(PreparedStatement.class, (p, method, args) -> {
            if (method.getName().startsWith("set") && args != null && args.length == 2 && args[0] instanceof Integer) {
                parameters.add(args[1]);
                return null;
            }
            if (method.getName().equals("executeQuery")) {
                return query(sql, parameters);
            }
            if (method.getName().equals("execute")) {
                // one query; each of its parts is a result: a select's rows, or an update count
                query(sql, parameters);
                part[0] = 0;
                return isSelect(parts[0]);
            }
            if (method.getName().equals("getResultSet")) {
                return part[0] < parts.length && isSelect(parts[part[0]]) ? rows(parts[part[0]]) : null;
            }
            if (method.getName().equals("getMoreResults")) {
                part[0]++;
                return part[0] < parts.length && isSelect(parts[part[0]]);
            }
            if (method.getName().equals("getUpdateCount")) {
                return part[0] < parts.length && !isSelect(parts[part[0]]) ? 0 : -1;
            }
            return defaultValue(method.getReturnType());
        });
    }

    private ResultSet query(String sql, List<Object> parameters) {
        failures.forEach((key, failure) -> {
            if (sql.contains(key)) {
                throw failure;
            }
        });
        statements.add(sql);
        recordSavepointSql(sql);
        if (sql.contains("current_setting('lock_timeout')")) { // the apply, not the restore
            lockTimeoutsSet.add(String.valueOf(parameters.get(0)));
        }
        return rows(sql);
    }

    private static boolean isSelect(String sql) {
        return sql.trim().toLowerCase(java.util.Locale.ROOT).startsWith("select");
    }

    /** One row for LockSafe's timeout queries, none for others. */
    private static ResultSet rows(String sql) {
        boolean oneRow = sql.contains("set_config");
        int[] row = {0};
        return proxy(ResultSet.class, (p, method, args) -> {
            switch (method.getName()) {
                case "next":
                    return oneRow && row[0]++ == 0;
                case "getInt":
                    return 4242;
                case "getString":
                    return "0";
                default:
                    return defaultValue(method.getReturnType());
            }
        });
    }

    /** LockSafe's own savepoints are SQL, sent with its other statements: recorded as the JDBC calls are. */
    private void recordSavepointSql(String sql) {
        for (String part : sql.split(";")) {
            String p = part.trim();
            if (p.startsWith("SAVEPOINT ")) {
                savepointCalls.add("set");
            } else if (p.startsWith("ROLLBACK TO SAVEPOINT ")) {
                savepointCalls.add("rollback to savepoint");
            } else if (p.startsWith("RELEASE SAVEPOINT ")) {
                savepointCalls.add("release");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(ScriptedConnection.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
