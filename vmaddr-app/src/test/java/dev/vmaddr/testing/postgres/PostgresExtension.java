package dev.vmaddr.testing.postgres;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link PostgresCluster} for the whole test run (started on first use, stopped
 * and deleted when the run ends) and a fresh database per test class. Test constructors, lifecycle
 * methods and tests receive a {@link PostgresDatabase} parameter.
 *
 * <p>Tests that stop or restart the server must start their own {@link PostgresCluster} instead, so
 * they do not disturb the shared one.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return database(context);
    }

    private static PostgresDatabase database(ExtensionContext context) {
        ExtensionContext classContext = classContext(context);
        return classContext.getStore(NS).getOrComputeIfAbsent("database", k -> {
            PostgresCluster cluster = shared(context);
            String name = classContext.getRequiredTestClass().getSimpleName();
            return new PostgresDatabase(cluster, cluster.createDatabase(name), cluster.user(), cluster.password());
        }, PostgresDatabase.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private static PostgresCluster shared(ExtensionContext context) {
        // The root store closes AutoCloseable values when the whole run ends.
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("cluster", k -> PostgresCluster.create(),
                PostgresCluster.class);
    }
}
