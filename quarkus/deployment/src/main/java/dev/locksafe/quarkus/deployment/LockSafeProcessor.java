package dev.locksafe.quarkus.deployment;

import dev.locksafe.flyway.LockSafeConfigurationExtension;
import dev.locksafe.quarkus.runtime.LockSafeFlywayCustomizer;
import dev.locksafe.quarkus.runtime.LockSafeLiquibaseRecorder;
import dev.locksafe.quarkus.runtime.LockSafeMetricsRecorder;
import dev.locksafe.quarkus.runtime.LockSafeRecorder;
import dev.locksafe.quarkus.runtime.MetricsAtStartup;
import io.quarkus.agroal.spi.JdbcDataSourceBuildItem;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.bootstrap.classloading.QuarkusClassLoader;
import io.quarkus.datasource.common.runtime.DataSourceUtil;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.ShutdownContextBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ServiceProviderBuildItem;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Type;

/**
 * Applies LockSafe to the migrations quarkus-flyway and quarkus-liquibase run at start, with
 * {@code quarkus.locksafe.*} settings, and registers what native mode needs to find LockSafe's plugins.
 */
class LockSafeProcessor {

    private static final String FEATURE = "locksafe";
    private static final DotName FLYWAY_DATA_SOURCE = DotName.createSimple("io.quarkus.flyway.FlywayDataSource");
    private static final DotName FLYWAY_CUSTOMIZER =
            DotName.createSimple("io.quarkus.flyway.FlywayConfigurationCustomizer");

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /** A bad {@code quarkus.locksafe.*} value stops the start, whether or not a migration runs. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void checkSettings(LockSafeRecorder recorder) {
        recorder.checkSettings();
    }

    /**
     * One customizer per data source's Flyway: unqualified for the default data source (quarkus-flyway
     * applies those to it), {@code @FlywayDataSource("name")} for each named one.
     */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void flyway(Capabilities capabilities, List<JdbcDataSourceBuildItem> dataSources, LockSafeRecorder recorder,
                BuildProducer<SyntheticBeanBuildItem> beans, BuildProducer<ReflectiveClassBuildItem> reflection) {
        if (!capabilities.isPresent(Capability.FLYWAY)) {
            return;
        }
        for (JdbcDataSourceBuildItem dataSource : dataSources) {
            SyntheticBeanBuildItem.ExtendedBeanConfigurator bean = SyntheticBeanBuildItem
                    .configure(LockSafeFlywayCustomizer.class)
                    .types(Type.create(FLYWAY_CUSTOMIZER, Type.Kind.CLASS))
                    .scope(Singleton.class)
                    .unremovable()
                    .supplier(recorder.flywayCustomizer())
                    .setRuntimeInit();
            if (!DataSourceUtil.isDefault(dataSource.getName())) {
                bean.addQualifier().annotation(FLYWAY_DATA_SOURCE).addValue("value", dataSource.getName()).done();
            }
            beans.produce(bean.done());
        }
        // LockSafe reads and writes its Flyway settings through the extension's fields
        reflection.produce(ReflectiveClassBuildItem.builder(LockSafeConfigurationExtension.class)
                .constructors().fields().build());
    }

    /**
     * Liquibase's settings and blocker lookups, in place before any migration (static init); and the
     * service files of locksafe-liquibase, which native mode registers for liquibase-core only.
     */
    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void liquibase(Capabilities capabilities, List<JdbcDataSourceBuildItem> dataSources,
                   LockSafeLiquibaseRecorder recorder, ShutdownContextBuildItem shutdown,
                   BuildProducer<ServiceProviderBuildItem> services) {
        if (!capabilities.isPresent(Capability.LIQUIBASE)) {
            return;
        }
        recorder.provideToLiquibase(dataSources.stream().map(JdbcDataSourceBuildItem::getName)
                .collect(Collectors.toList()), shutdown);
        services.produce(new ServiceProviderBuildItem("liquibase.configuration.AutoloadedConfigurations",
                "dev.locksafe.liquibase.LockSafeConfiguration"));
        services.produce(new ServiceProviderBuildItem("liquibase.database.DatabaseConnection",
                "dev.locksafe.liquibase.LockSafeJdbcConnection"));
        services.produce(new ServiceProviderBuildItem("liquibase.executor.Executor",
                "dev.locksafe.liquibase.LockSafeJdbcExecutor"));
    }

    /** Every attempt counted in the application's registry when it has quarkus-micrometer. */
    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void metrics(Capabilities capabilities, LockSafeMetricsRecorder recorder, ShutdownContextBuildItem shutdown,
                 BuildProducer<AdditionalBeanBuildItem> beans) {
        if (capabilities.isPresent(Capability.METRICS)
                && QuarkusClassLoader.isClassPresentAtRuntime("io.micrometer.core.instrument.MeterRegistry")) {
            recorder.registerMetrics(shutdown);
            beans.produce(AdditionalBeanBuildItem.unremovableOf(MetricsAtStartup.class));
        }
    }
}
