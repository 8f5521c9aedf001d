package dev.skyferry.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

class DeadLetterFormatTest {

    private static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");

    private static ReceivedMessage message(String text) {
        return ReceivedMessage.of("id-1", "receipt", text, 4, AT.minusSeconds(60), AT);
    }

    @Test
    void envelopeRoundTripsTheOriginalTextExactly() {
        String original = AzureQueueSourceTest.TRICKY_TEXT + "\u0001\u007f\\u0041";
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.of(
                new DeadLetterFacts("forbidden", 4, null, null, "denied", AT), "azure-events", "q", message(original));

        AzureDeadLetterEnvelope parsed = AzureDeadLetterEnvelope.parse(envelope.fittingJson().orElseThrow()).orElseThrow();

        assertThat(parsed.originalText()).isEqualTo(original);
        assertThat(parsed).isEqualTo(envelope);
    }

    @Test
    void envelopeNamesTheFactsBeforeTheOriginal() {
        String json = AzureDeadLetterEnvelope.of(new DeadLetterFacts("unparseable", 1, null, null, "not JSON", AT),
                "azure-events", "q", message("garbage")).toJson();

        assertThat(json).startsWith("{\"format\":\"skyferry-dead-letter/1\",\"reason\":\"unparseable\",\"attempts\":1,");
        assertThat(json).endsWith("\"originalText\":\"garbage\"}");
    }

    @Test
    void longErrorsAreCutSoTheEnvelopeFits() {
        String hugeError = "x".repeat(100_000);
        String original = "y".repeat(63_000); // fits only once the errors are cut short
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.of(
                new DeadLetterFacts("throttled", 5, hugeError, AT, hugeError, AT), "s", "q", message(original));

        String json = envelope.fittingJson().orElseThrow();

        AzureDeadLetterEnvelope parsed = AzureDeadLetterEnvelope.parse(json).orElseThrow();
        assertThat(parsed.originalText()).isEqualTo(original);
        assertThat(parsed.lastError()).hasSize(AzureDeadLetterEnvelope.SHORT_ERROR_CHARS + 1).endsWith("…");
    }

    @Test
    void textsThatAreNotEnvelopesAreOriginals() {
        assertThat(AzureDeadLetterEnvelope.parse("{\"Records\":[]}")).isEmpty();
        assertThat(AzureDeadLetterEnvelope.parse("eyJpZCI6MX0=")).isEmpty();
        assertThat(AzureDeadLetterEnvelope.parse("{\"format\":\"skyferry-dead-letter/1\"}")).isEmpty();
    }

    @Test
    void sqsFactsFillOnlyTheAttributeSlotsTheOriginalLeaves() {
        Map<String, MessageAttributeValue> original = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            original.put("a" + i, MessageAttributeValue.builder().dataType("String").stringValue("v" + i).build());
        }

        Map<String, MessageAttributeValue> all = SqsDeadLetterAttributes.withFacts(original,
                new DeadLetterFacts("forbidden", 1, null, null, "denied", AT), "s3-events", "id-1");

        assertThat(all).hasSize(SqsDeadLetterAttributes.MAX_ATTRIBUTES)
                .containsKeys("a0", "a6", SqsDeadLetterAttributes.REASON, SqsDeadLetterAttributes.ATTEMPTS,
                        SqsDeadLetterAttributes.LAST_ERROR);
        assertThat(SqsDeadLetterAttributes.originalAttributes(all)).isEqualTo(original);
    }

    @Test
    void sqsAttributeValuesAreMadeAcceptable() {
        assertThat(SqsDeadLetterAttributes.sqsSafe("")).isEqualTo("-");
        assertThat(SqsDeadLetterAttributes.sqsSafe("a\u0000b😀")).isEqualTo("a?b😀");
        assertThat(SqsDeadLetterAttributes.sqsSafe("z".repeat(5_000))).hasSize(SqsDeadLetterAttributes.MAX_VALUE_CHARS + 1);
    }
}
