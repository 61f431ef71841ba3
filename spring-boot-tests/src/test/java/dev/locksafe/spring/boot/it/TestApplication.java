package dev.locksafe.spring.boot.it;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * An application with nothing of its own: Boot runs Flyway or Liquibase at startup, LockSafe's starter is on the class path.
 * No component scan: each test application is exactly what it declares.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {
}
