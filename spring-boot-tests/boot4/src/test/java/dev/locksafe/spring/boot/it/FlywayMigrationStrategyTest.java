package dev.locksafe.spring.boot.it;

import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** Boot 4's {@code FlywayMigrationStrategy} ({@code org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy}). */
class FlywayMigrationStrategyTest extends AbstractFlywayMigrationStrategyTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ApplicationWithMigrationStrategy {

        @Bean
        FlywayMigrationStrategy countingStrategy() {
            return flyway -> {
                STRATEGY_CALLS.incrementAndGet();
                flyway.migrate();
            };
        }
    }

    @Override
    Class<?> applicationWithMigrationStrategy() {
        return ApplicationWithMigrationStrategy.class;
    }
}
