package dev.skyferry.ops.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The worker's dead-letter formats (see {@code dev.skyferry.queue.AzureDeadLetterEnvelope} and
 * {@code SqsDeadLetterAttributes}): a JSON envelope {@code {"format":"skyferry-dead-letter/1", …,
 * "originalText":"…"}} on the Azure poison queue, and {@code Skyferry.*} message attributes beside
 * the untouched body on the SQS dead-letter queue.
 */
public final class SkyferryDeadLetterFormat implements DeadLetterFormat {

    public static final SkyferryDeadLetterFormat INSTANCE = new SkyferryDeadLetterFormat();

    static final String ENVELOPE_FORMAT = "skyferry-dead-letter/1";
    static final String ATTRIBUTE_PREFIX = "Skyferry.";
    static final String REASON = "Skyferry.DeadLetterReason";
    static final String ATTEMPTS = "Skyferry.Attempts";
    static final String LAST_ERROR = "Skyferry.LastError";
    static final String DEAD_LETTERED_AT = "Skyferry.DeadLetteredAt";
    static final String FIRST_ERROR_AT = "Skyferry.FirstErrorAt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SkyferryDeadLetterFormat() {}

    @Override
    public Optional<Unwrapped> unwrapPoisonMessage(String messageText) {
        JsonNode node;
        try {
            node = JSON.readTree(messageText);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        if (node == null || !node.isObject() || !ENVELOPE_FORMAT.equals(node.path("format").asText(null))
                || !node.path("originalText").isTextual()) {
            return Optional.empty();
        }
        JsonNode attempts = node.path("attempts");
        return Optional.of(new Unwrapped(node.path("originalText").textValue(), new DeadLetterFacts(
                node.path("reason").asText(null),
                node.path("lastError").asText(null),
                attempts.canConvertToInt() ? attempts.intValue() : null,
                instant(node.path("firstErrorAt").asText(null)),
                instant(node.path("deadLetteredAt").asText(null)))));
    }

    @Override
    public DeadLetterFacts sqsFacts(Map<String, MessageAttributeValue> attributes) {
        return new DeadLetterFacts(
                text(attributes, REASON),
                text(attributes, LAST_ERROR),
                integer(text(attributes, ATTEMPTS)),
                instant(text(attributes, FIRST_ERROR_AT)),
                instant(text(attributes, DEAD_LETTERED_AT)));
    }

    @Override
    public boolean isDeadLetterAttribute(String attributeName) {
        return attributeName.startsWith(ATTRIBUTE_PREFIX);
    }

    private static String text(Map<String, MessageAttributeValue> attributes, String name) {
        MessageAttributeValue value = attributes.get(name);
        return value == null ? null : value.stringValue();
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
