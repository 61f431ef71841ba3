package dev.locksafe.spring.boot;

import dev.locksafe.LockSafeSettings;
import dev.locksafe.flyway.LockSafeConfigurationExtension;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Hands LockSafe's settings to each {@link Flyway} bean before it initializes (and so before Boot's
 * migration initializer or the application's {@code FlywayMigrationStrategy} calls {@code migrate()}).
 * LockSafe's Flyway plugin itself is found by Flyway on the classpath; Boot does not read
 * {@code flyway.conf} or {@code flyway.locksafe.*}, so this is where its settings come from.
 */
class LockSafeFlywayPostProcessor implements BeanPostProcessor {

    private final ObjectProvider<LockSafeSettings> settings;
    private final ObjectProvider<LockSafeMetricsRegistration> metrics;

    LockSafeFlywayPostProcessor(ObjectProvider<LockSafeSettings> settings,
                                ObjectProvider<LockSafeMetricsRegistration> metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof Flyway) {
            LockSafeConfigurationExtension extension = LockSafeConfigurationExtension.of(((Flyway) bean).getConfiguration());
            if (extension == null) {
                throw new IllegalStateException("LockSafe: Flyway bean '" + beanName + "' has no LockSafe plugin;"
                        + " is locksafe-flyway on the same class path as flyway-core?");
            }
            extension.apply(settings.getObject());
            metrics.ifAvailable(m -> m.listener().ifPresent(extension::addAttemptListener));
        }
        return bean;
    }
}
