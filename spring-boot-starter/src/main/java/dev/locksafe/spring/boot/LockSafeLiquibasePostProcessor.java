package dev.locksafe.spring.boot;

import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.liquibase.ProbeConnections;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Around each {@link SpringLiquibase} bean's initialization, which runs its update on this thread: gives
 * that update LockSafe's settings and this application's metrics listener, for this thread only (two
 * applications in one JVM keep their own), and registers the bean's data source so LockSafe can open a
 * second connection to name the sessions that block a changeset. The data source stays registered until
 * the application context closes.
 */
class LockSafeLiquibasePostProcessor implements BeanPostProcessor, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(LockSafeLiquibasePostProcessor.class);

    private final ObjectProvider<LockSafeSettings> settings;
    private final ObjectProvider<LockSafeMetricsRegistration> metrics;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    /** Each bean's settings for its update, open from before to after its initialization. */
    private final Map<Object, Registration> duringInitialization = new ConcurrentHashMap<>();

    LockSafeLiquibasePostProcessor(ObjectProvider<LockSafeSettings> settings,
                                   ObjectProvider<LockSafeMetricsRegistration> metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof SpringLiquibase) {
            LockSafeSettings lockSafe = settings.getObject();
            LockSafeMetricsRegistration m = metrics.getIfAvailable();
            AttemptListener listener = m == null ? null : m.listener().orElse(null);
            duringInitialization.put(bean, LockSafeConfiguration.provideOnThisThread(lockSafe, listener));
            DataSource dataSource = ((SpringLiquibase) bean).getDataSource();
            if (dataSource != null && lockSafe.enabled() && lockSafe.logBlockers()) {
                try {
                    registrations.add(ProbeConnections.register(ConnectionSource.of(dataSource)));
                } catch (SQLException e) {
                    LOG.info("LockSafe: cannot use the data source of '{}' to look up blocking sessions: {}",
                            beanName, e.getMessage());
                }
            }
        }
        return bean;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Registration during = duringInitialization.remove(bean);
        if (during != null) {
            during.close();
        }
        return bean;
    }

    /** Also closes the settings of a bean whose initialization failed (no after-initialization call then). */
    @Override
    public void destroy() {
        duringInitialization.values().forEach(Registration::close);
        duringInitialization.clear();
        registrations.forEach(Registration::close);
        registrations.clear();
    }
}
