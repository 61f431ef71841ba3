package dev.locksafe.quarkus.runtime;

import dev.locksafe.ConnectionSource;
import dev.locksafe.liquibase.LockSafeConfiguration;
import dev.locksafe.liquibase.ProbeConnections;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import java.util.List;

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
        shutdown.addShutdownTask(LockSafeConfiguration.provideToEveryThread(QuarkusSettings::current,
                "Quarkus configuration " + QuarkusSettings.PREFIX + "*")::close);
        for (String name : dataSourceNames) {
            ConnectionSource source = () -> AgroalDataSourceUtil.dataSourceInstance(name).get().getConnection();
            shutdown.addShutdownTask(ProbeConnections.registerOnFirstUse(source)::close);
        }
    }
}
