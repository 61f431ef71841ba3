package dev.locksafe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's settings table has a row for every setting, with the default LockSafe really uses. */
class SettingsTableTest {

    private static List<String> readmeLines() throws IOException {
        return Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void theReadmeSettingsTableHasTheKeyWithItsDefault(Setting setting) throws IOException {
        String expectedDefault = setting.defaultValue().isEmpty() ? "unset" : "`" + setting.defaultValue() + "`";
        assertThat(readmeLines()).filteredOn(line -> line.startsWith("| `" + setting.key() + "` |"))
                .singleElement().asString().startsWith("| `" + setting.key() + "` | " + expectedDefault + " |");
    }
}
