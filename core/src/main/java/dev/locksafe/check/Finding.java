package dev.locksafe.check;

import java.util.Objects;

/**
 * One thing the ZDD check found in one migration.
 *
 * @param rule      the rule
 * @param severity  its severity here (a rule's default, or {@link Severity#INFO} for an exempted case)
 * @param migration the migration (script, class or changeset) that made the change
 * @param object    the schema-qualified object: {@code public.orders.note}
 * @param detail    what changed, in words: {@code integer -> bigint}
 * @param allowedBecause the reason of the allow marker that accepts it, or {@code null}
 */
public record Finding(Rule rule, Severity severity, String migration, String object, String detail,
                      String allowedBecause) {

    public Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
    }

    /** Whether an allow marker accepts it: reported, never failing. */
    public boolean allowed() {
        return allowedBecause != null;
    }

    /** Whether it fails the migration in {@link CheckMode#FAIL}. */
    public boolean fails() {
        return severity == Severity.ERROR && !allowed();
    }

    /** This finding, accepted by an allow marker with {@code reason}. */
    Finding allow(String reason) {
        return new Finding(rule, severity, migration, object, detail, reason);
    }

    /** One line for the log: rule, object, what changed, what release N would hit, the recipe. */
    public String describe() {
        StringBuilder b = new StringBuilder("LockSafe ZDD: ").append(migration).append(' ').append(rule.id()).append(' ')
                .append(rule.ruleName()).append(' ').append(object);
        if (detail != null && !detail.isEmpty()) {
            b.append(" (").append(detail).append(')');
        }
        if (allowed()) {
            return b.append(": allowed by its marker, reason: ").append(allowedBecause).toString();
        }
        b.append(": ").append(rule.impact()).append(". Recipe: ").append(rule.recipe()).append('.');
        if (severity != Severity.INFO) {
            b.append(" Accept it with: -- locksafe:allow ").append(rule.id()).append(" reason: ...");
        }
        return b.toString();
    }
}
