package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.locksafe.LockSafeSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckedSchemasTest {

    @Test
    void namesAreTrimmedKeptAsWrittenAndDeduplicated() {
        CheckedSchemas schemas = CheckedSchemas.parse(" public , Ledger,public");
        assertThat(schemas.names()).containsExactly("public", "Ledger");
        assertThat(schemas).hasToString("public,Ledger");
        assertThat(CheckedSchemas.all().isAll()).isTrue();
    }

    @Test
    void emptyTooLongAndSystemNamesAreInputErrorsNamingTheSetting() {
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkSchemas", "public,,billing")))
                .hasMessageContaining("checkSchemas='public,,billing'").hasMessageContaining("an empty schema name");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkSchemas", "x".repeat(64))))
                .hasMessageContaining("longer than 63 bytes");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkSchemas", "information_schema")))
                .hasMessageContaining("'information_schema' is a PostgreSQL system schema");
        assertThatThrownBy(() -> LockSafeSettings.fromMap(Map.of("checkSchemas", "PG_TOAST")))
                .hasMessageContaining("system schema");
    }
}
