package dev.locksafe.quarkus.runtime;

import dev.locksafe.ConnectionSource;
import dev.locksafe.LockSafeSettings;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.liquibase.ProbeConnections;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.configuration.AbstractMapConfigurationValueProvider;
import liquibase.configuration.LiquibaseConfiguration;

/** What the extension records for quarkus-liquibase (only when the application has it). */
@Recorder
public class LockSafeLiquibaseRecorder {

    /**
     * Gives the Liquibase that quarkus-liquibase runs at start LockSafe's settings and, for each data
     * source, its connections for looking up blocking sessions (Quarkus hands Liquibase an open
     * connection, so LockSafe could not open one itself). Recorded at static init, so it is in place
     * before any migration whatever order the extensions start in; the settings and the data sources
     * are resolved when the first changeset runs, from the runtime configuration. Undone when the
     * application stops.
     */
    public void provideToLiquibase(List<String> dataSourceNames, ShutdownContext shutdown) {
        LiquibaseConfiguration liquibase = Scope.getCurrentScope().getSingleton(LiquibaseConfiguration.class);
        QuarkusValues values = new QuarkusValues();
        liquibase.registerProvider(values);
        shutdown.addShutdownTask(() -> liquibase.unregisterProvider(values));
        for (String name : dataSourceNames) {
            ConnectionSource source = () -> AgroalDataSourceUtil.dataSourceInstance(name).get().getConnection();
            shutdown.addShutdownTask(ProbeConnections.registerOnFirstUse(source)::close);
        }
    }

    /**
     * {@code quarkus.locksafe.*} as Liquibase's {@code liquibase.locksafe.*} values, read from the runtime
     * configuration when Liquibase first asks. Precedence 100, as the Spring Boot starter's: above
     * {@code liquibase.properties}, below {@code LIQUIBASE_LOCKSAFE_*} variables and system properties.
     */
    private static final class QuarkusValues extends AbstractMapConfigurationValueProvider {

        private volatile Map<String, String> values;

        @Override
        public int getPrecedence() {
            return 100;
        }

        @Override
        protected Map<?, ?> getMap() {
            Map<String, String> v = values;
            if (v == null) {
                LockSafeSettings settings = QuarkusSettings.current();
                Map<String, String> map = new LinkedHashMap<>();
                settings.asMap().forEach((key, value) -> map.put(LockSafeConfiguration.PREFIX + "." + key, value));
                values = v = Map.copyOf(map);
            }
            return v;
        }

        @Override
        protected String getSourceDescription() {
            return "Quarkus configuration quarkus.locksafe.*";
        }
    }
}
