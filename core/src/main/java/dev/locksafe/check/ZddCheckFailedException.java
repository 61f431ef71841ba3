package dev.locksafe.check;

import java.util.List;

/**
 * A migration failed the ZDD check in {@code fail} mode and was rolled back. The host tool's own exception
 * (Flyway's, Liquibase's) carries it as its cause, so that an application can tell it from other failures
 * (the Spring Boot starter explains it at startup).
 */
public final class ZddCheckFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String migration;
    private final transient List<Finding> findings;

    ZddCheckFailedException(String migration, List<Finding> findings) {
        super(ZddCheck.failureMessage(migration, findings));
        this.migration = migration;
        this.findings = List.copyOf(findings);
    }

    /** The migration that was rolled back. */
    public String migration() {
        return migration;
    }

    /** Its findings: those that failed it, and the others. */
    public List<Finding> findings() {
        return findings;
    }

    /** The findings that failed it. */
    public List<Finding> failing() {
        return findings.stream().filter(Finding::fails).toList();
    }
}
