package dev.skyferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import org.junit.jupiter.api.Test;

class CopySettingsTest {

    @Test
    void defaultsMatchTheDocumentedConfiguration() {
        CopySettings defaults = CopySettings.defaults();

        assertThat(defaults.partSize()).isEqualTo(8L * 1024 * 1024);
        assertThat(defaults.partsInFlightPerObject()).isEqualTo(4);
        assertThat(defaults.readStreamsPerObject()).isEqualTo(1);
        assertThat(defaults.memoryBudget()).isEqualTo(256L * 1024 * 1024);
        assertThat(defaults.s3ToAzureMode()).isEqualTo(S3ToAzureMode.AUTO);
    }

    @Test
    void reportsEveryBadValueAtOnce() {
        assertThatThrownBy(() -> new CopySettings(0, 0, 0, -1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("copy.partSize must be between 1 byte and 2097152000 bytes (2000MiB), was 0")
                .hasMessageContaining("copy.partsInFlightPerObject must be at least 1, was 0")
                .hasMessageContaining("copy.readStreamsPerObject must be at least 1, was 0")
                .hasMessageContaining("copy.memoryBudget must hold at least one part (0 bytes), was -1")
                .hasMessageContaining("copy.s3ToAzureMode must be one of auto, server-side, stream, was null");
    }

    @Test
    void rejectsPartsThatCannotBeOneArray() {
        assertThatThrownBy(() -> new CopySettings(4000L * 1024 * 1024, 1, 1, 8000L * 1024 * 1024, S3ToAzureMode.AUTO))
                .hasMessageContaining("was 4194304000");
    }

    @Test
    void parsesTheConfigurationSpellingOfTheMode() {
        assertThat(S3ToAzureMode.parse("server-side")).isEqualTo(S3ToAzureMode.SERVER_SIDE);
        assertThat(S3ToAzureMode.parse(" Stream ")).isEqualTo(S3ToAzureMode.STREAM);
        assertThatThrownBy(() -> S3ToAzureMode.parse("serverside"))
                .hasMessage("copy.s3ToAzureMode must be one of auto, server-side, stream, was serverside");
    }
}
