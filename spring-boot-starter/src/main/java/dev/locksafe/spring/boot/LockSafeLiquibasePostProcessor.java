package dev.locksafe.spring.boot;

import dev.locksafe.ConnectionSource;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.liquibase.ProbeConnections;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Before each {@link SpringLiquibase} bean runs its update: gives Liquibase LockSafe's settings (as a
 * configuration value provider for {@code liquibase.locksafe.*}), and registers the bean's data source
 * so LockSafe can open a second connection to name the sessions that block a changeset. Both are
 * removed when the application context closes.
 */
class LockSafeLiquibasePostProcessor implements BeanPostProcessor, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(LockSafeLiquibasePostProcessor.class);

    private final ObjectProvider<LockSafeSettings> settings;
    private final ObjectProvider<LockSafeMetricsRegistration> metrics;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean settingsProvided = new AtomicBoolean();

    LockSafeLiquibasePostProcessor(ObjectProvider<LockSafeSettings> settings,
                                   ObjectProvider<LockSafeMetricsRegistration> metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof SpringLiquibase) {
            LockSafeSettings lockSafe = settings.getObject();
            if (settingsProvided.compareAndSet(false, true)) { // one provider serves every SpringLiquibase
                registrations.add(LockSafeConfiguration.provide(lockSafe, "Spring Boot locksafe.* properties"));
            }
            DataSource dataSource = ((SpringLiquibase) bean).getDataSource();
            if (dataSource != null && lockSafe.enabled() && lockSafe.logBlockers()) {
                try {
                    registrations.add(ProbeConnections.register(ConnectionSource.of(dataSource)));
                } catch (SQLException e) {
                    LOG.info("LockSafe: cannot use the data source of '{}' to look up blocking sessions: {}",
                            beanName, e.getMessage());
                }
            }
            metrics.ifAvailable(m -> { });
        }
        return bean;
    }

    @Override
    public void destroy() {
        registrations.forEach(Registration::close);
        registrations.clear();
    }
}
