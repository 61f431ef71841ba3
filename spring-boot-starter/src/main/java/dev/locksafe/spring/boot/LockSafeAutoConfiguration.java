package dev.locksafe.spring.boot;

import dev.locksafe.LockSafeSettings;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Applies LockSafe to the Flyway and Liquibase that Spring Boot runs at startup. Nothing here replaces
 * a bean an application defines: the {@code Flyway} and {@code SpringLiquibase} beans (Boot's or the
 * application's own), a {@code FlywayMigrationStrategy} or a Liquibase {@code Customizer} stay as they
 * are; LockSafe's settings are handed to each tool just before its bean initializes.
 *
 * <p>Named by class name only, so one jar serves Boot 3.5 ({@code org.springframework.boot.autoconfigure.*})
 * and Boot 4.0 ({@code org.springframework.boot.flyway.autoconfigure.*}, {@code ...liquibase.autoconfigure.*}).
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration",
        "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration"})
@Conditional(LockSafeAutoConfiguration.FlywayOrLiquibase.class)
public class LockSafeAutoConfiguration {

    /**
     * The settings, checked at startup: a bad value fails it with a failure analysis naming the property.
     * An application that builds its own {@link LockSafeSettings} bean uses that instead.
     */
    @Bean
    @ConditionalOnMissingBean
    LockSafeSettings lockSafeSettings(Environment environment) {
        return LockSafeProperties.bind(environment);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.flywaydb.core.Flyway")
    static class ForFlyway {

        @Bean
        static LockSafeFlywayPostProcessor lockSafeFlywayPostProcessor(ObjectProvider<LockSafeSettings> settings,
                                                                       ObjectProvider<LockSafeMetricsRegistration> metrics) {
            return new LockSafeFlywayPostProcessor(settings, metrics);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "liquibase.integration.spring.SpringLiquibase")
    static class ForLiquibase {

        @Bean
        static LockSafeLiquibasePostProcessor lockSafeLiquibasePostProcessor(ObjectProvider<LockSafeSettings> settings,
                                                                             ObjectProvider<LockSafeMetricsRegistration> metrics) {
            return new LockSafeLiquibasePostProcessor(settings, metrics);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class ForMicrometer {

        /** Created when a migration is about to run, so the application's MeterRegistry exists by then. */
        @Bean
        LockSafeMetricsRegistration lockSafeMetricsRegistration(
                ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry, LockSafeSettings settings) {
            return new LockSafeMetricsRegistration(settings.enabled() ? registry.getIfAvailable() : null);
        }
    }

    /** Active when Flyway or Liquibase is on the classpath. */
    static class FlywayOrLiquibase extends AnyNestedCondition {

        FlywayOrLiquibase() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnClass(name = "org.flywaydb.core.Flyway")
        static class Flyway {
        }

        @ConditionalOnClass(name = "liquibase.integration.spring.SpringLiquibase")
        static class Liquibase {
        }
    }
}
