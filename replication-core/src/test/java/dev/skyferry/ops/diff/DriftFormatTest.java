package dev.skyferry.ops.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DriftFormatTest {

    private final Drift drift = new Drift(Drift.DIFFERENT, "photos", "azure-to-s3", "azure://acct/photos/a,\"b\"\n.txt",
            "s3://bucket/a,\"b\"\n.txt", 10L, 12L, "0x8D", false, "size differs: source 10, replica 12");

    @Test
    void csvQuotesKeysWithCommasQuotesAndNewlines() {
        assertThat(DriftFormat.CSV.header()).isEqualTo(
                "kind,rule,direction,source,target,source_size,target_size,source_etag,expected,detail");
        assertThat(DriftFormat.CSV.line(drift)).isEqualTo("different,photos,azure-to-s3,"
                + "\"azure://acct/photos/a,\"\"b\"\"\n.txt\",\"s3://bucket/a,\"\"b\"\"\n.txt\",10,12,0x8D,false,"
                + "\"size differs: source 10, replica 12\"");
    }

    @Test
    void jsonLinesAreOneObjectPerLineWithNullsForWhatIsAbsent() throws Exception {
        Drift extra = new Drift(Drift.EXTRA, "photos", "s3-to-azure", "s3://bucket/gone.txt", "azure://acct/photos/gone.txt",
                null, 5L, null, true, "replica of s3://bucket/gone.txt, which is gone");

        String line = DriftFormat.JSON.line(extra);
        JsonNode node = new ObjectMapper().readTree(line);

        assertThat(line).doesNotContain("\n");
        assertThat(DriftFormat.JSON.header()).isNull();
        assertThat(node.get("kind").asText()).isEqualTo("extra");
        assertThat(node.get("sourceSize").isNull()).isTrue();
        assertThat(node.get("targetSize").asLong()).isEqualTo(5);
        assertThat(node.get("expected").asBoolean()).isTrue();
        assertThat(new ObjectMapper().readTree(DriftFormat.JSON.line(drift)).get("source").asText())
                .isEqualTo("azure://acct/photos/a,\"b\"\n.txt");
    }

    @Test
    void anUnknownFormatNamesTheBadValue() {
        assertThat(DriftFormat.parse("CSV")).isEqualTo(DriftFormat.CSV);
        assertThatThrownBy(() -> DriftFormat.parse("xml")).hasMessage("format must be json or csv, was 'xml'");
    }
}
