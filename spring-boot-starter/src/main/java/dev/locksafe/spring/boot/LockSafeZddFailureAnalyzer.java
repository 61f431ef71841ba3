package dev.locksafe.spring.boot;

import dev.locksafe.check.Finding;
import dev.locksafe.check.ZddCheckFailedException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a migration that the ZDD check ({@code locksafe.check=fail}) rolled back at startup: the
 * migration, each backward-incompatible change with its object and recipe, and the ways out.
 */
class LockSafeZddFailureAnalyzer extends AbstractFailureAnalyzer<ZddCheckFailedException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ZddCheckFailedException cause) {
        StringBuilder description = new StringBuilder("The migration ").append(cause.migration())
                .append(" makes backward-incompatible changes, so it was rolled back (locksafe.check=fail):");
        for (Finding f : cause.failing()) {
            description.append("\n  ").append(f.rule().id()).append(' ').append(f.rule().ruleName()).append(' ')
                    .append(f.object()).append(f.detail() == null ? "" : " (" + f.detail() + ")")
                    .append(": ").append(f.rule().impact()).append(".\n    Recipe: ").append(f.rule().recipe()).append('.');
        }
        return new FailureAnalysis(description.toString(),
                "Split the change over two releases as the recipe says. If it is deliberate, accept it with"
                        + " '-- locksafe:allow <RULE> reason: ...' in the migration or locksafe.check-allow=<RULE>:<object>;"
                        + " to let this run through, set locksafe.check=warn (LOCKSAFE_CHECK=warn).",
                cause);
    }
}
