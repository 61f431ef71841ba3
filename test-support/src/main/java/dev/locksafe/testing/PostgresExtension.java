package dev.locksafe.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a fresh {@link TestDatabase} on the shared {@link PostgresServer}, as a parameter of
 * the test method, and drops it after the test.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyTest {
 *     @Test
 *     void something(TestDatabase db) { ... }
 * }
 * }</pre>
 */
public final class PostgresExtension implements ParameterResolver, AfterEachCallback {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent("db", k -> {
            String name = "locksafe_t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            return PostgresServer.shared().createDatabase(name);
        }, TestDatabase.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestDatabase db = context.getStore(NAMESPACE).remove("db", TestDatabase.class);
        if (db != null) {
            PostgresServer.shared().dropDatabase(db.name());
        }
    }
}
