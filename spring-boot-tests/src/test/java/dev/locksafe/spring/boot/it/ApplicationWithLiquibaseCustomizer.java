package dev.locksafe.spring.boot.it;

import java.util.concurrent.atomic.AtomicInteger;
import liquibase.Liquibase;
import liquibase.integration.spring.Customizer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An application that customizes Liquibase itself, as many do: LockSafe must leave its customizer in charge.
 * No component scan: each test application is exactly what it declares.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ApplicationWithLiquibaseCustomizer {

    static final AtomicInteger CUSTOMIZED = new AtomicInteger();

    @Bean
    Customizer<Liquibase> recordingCustomizer() {
        return liquibase -> {
            CUSTOMIZED.incrementAndGet();
            liquibase.setChangeLogParameter("customized.by", "application");
        };
    }
}
