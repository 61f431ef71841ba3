package dev.locksafe.spring.boot.it;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application with nothing of its own: Boot runs Flyway or Liquibase at startup, LockSafe's starter is on the class path. */
@SpringBootApplication
public class TestApplication {
}
