package dev.locksafe.spring.boot;

import dev.locksafe.AttemptListener;
import dev.locksafe.ConnectionSource;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.Registration;
import dev.locksafe.liquibase.LockSafeConfiguration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Around each {@link SpringLiquibase} bean's initialization, which runs its update on this thread: gives
 * that update LockSafe's settings and this application's metrics listener, for this thread only (two
 * applications in one JVM keep their own), with the bean's data source for the second connection that
 * names the sessions blocking a changeset.
 */
class LockSafeLiquibasePostProcessor implements BeanPostProcessor, DisposableBean {

    private final ObjectProvider<LockSafeSettings> settings;
    private final ObjectProvider<LockSafeMetricsRegistration> metrics;
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
            DataSource dataSource = ((SpringLiquibase) bean).getDataSource();
            ConnectionSource lookup = dataSource == null ? null : ConnectionSource.of(dataSource);
            duringInitialization.put(bean, LockSafeConfiguration.provideOnThisThread(lockSafe, listener, lookup));
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
    }
}
