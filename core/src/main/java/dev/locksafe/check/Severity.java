package dev.locksafe.check;

/** How serious a finding is. Only {@link #ERROR} findings fail a migration in {@link CheckMode#FAIL}. */
public enum Severity {
    /** Backward-incompatible: release N's code would fail against this schema. */
    ERROR,
    /** Lock-heavy: production traffic would queue while the migration holds its lock. */
    WARNING,
    /** Worth knowing; never fails. */
    INFO
}
