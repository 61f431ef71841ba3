package dev.locksafe.spring.boot;

import dev.locksafe.InvalidSettingException;
import dev.locksafe.Setting;
import java.util.Locale;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a LockSafe setting the application cannot start with, by its Spring property name. */
class LockSafeSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
        String property = Setting.find(cause.key()).map(s -> "locksafe." + s.kebabKey()).orElse("locksafe." + cause.key());
        String variable = property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return new FailureAnalysis(
                cause.messageFor(property) + ".",
                "Change " + property + " (application.properties or .yml) or the " + variable
                        + " environment variable to an accepted value, or remove it to use the default.",
                cause);
    }
}
