package dev.locksafe.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.AttemptEvent;
import dev.locksafe.AttemptListeners;
import dev.locksafe.InvalidSettingException;
import dev.locksafe.LockSafeSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import liquibase.integration.spring.SpringLiquibase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration's conditions, without a database: what is there, and what is not. */
class LockSafeAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LockSafeAutoConfiguration.class));

    @Test
    void withFlywayAndLiquibaseBothToolsAreHookedAndTheSettingsComeFromLocksafeProperties() {
        runner.withPropertyValues("locksafe.lock-timeout=321ms", "LOCKSAFE_MAX_ATTEMPTS=4").run(context -> {
            assertThat(context).hasNotFailed()
                    .hasSingleBean(LockSafeFlywayPostProcessor.class)
                    .hasSingleBean(LockSafeLiquibasePostProcessor.class);
            assertThat(context.getBean(LockSafeSettings.class).lockTimeout()).isEqualTo(Duration.ofMillis(321));
        });
    }

    @Test
    void anApplicationsOwnSettingsBeanWinsOverTheProperties() {
        LockSafeSettings own = LockSafeSettings.builder().maxAttempts(3).build();
        runner.withPropertyValues("locksafe.max-attempts=7").withBean(LockSafeSettings.class, () -> own)
                .run(context -> assertThat(context).hasNotFailed().getBean(LockSafeSettings.class).isSameAs(own));
    }

    @Test
    void withNeitherToolNothingIsConfigured() {
        runner.withClassLoader(new FilteredClassLoader(Flyway.class, SpringLiquibase.class))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(LockSafeSettings.class));
    }

    @Test
    void withOnlyLiquibaseOnlyLiquibaseIsHooked() {
        runner.withClassLoader(new FilteredClassLoader(Flyway.class)).run(context -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(LockSafeFlywayPostProcessor.class)
                .hasSingleBean(LockSafeLiquibasePostProcessor.class));
    }

    @Test
    void withoutMicrometerThereAreNoMetricsAndNothingIsMissing() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(LockSafeMetricsRegistration.class)
                .hasSingleBean(LockSafeSettings.class));
    }

    @Test
    void withARegistryTheApplicationsOwnRunsReportIntoItAndNoOtherEngine() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry).run(context -> {
            assertThat(context).hasSingleBean(LockSafeMetricsRegistration.class);
            context.getBean(LockSafeMetricsRegistration.class).listener().orElseThrow().onSuccess(success());
            // what another engine of the JVM tells the JVM-wide listeners: not this application's
            AttemptListeners.current().forEach(l -> l.onSuccess(success()));
        });
        assertThat(registry.get("locksafe.attempts").tag("outcome", "success").tag("migration", "V1__x.sql")
                .counter().count()).isEqualTo(1);
    }

    private static AttemptEvent success() {
        return AttemptEvent.builder(AttemptEvent.Type.SUCCESS, "flyway", "V1__x.sql").attempt(1, 10)
                .lockTimeout(Duration.ofMillis(200)).attemptDuration(Duration.ofMillis(2)).build();
    }

    @Test
    void anOutOfRangeValueFailsTheContext() {
        runner.withPropertyValues("locksafe.jitter=2").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("jitter"));
    }
}
