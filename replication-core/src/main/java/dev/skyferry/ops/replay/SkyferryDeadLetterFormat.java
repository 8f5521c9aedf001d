package dev.skyferry.ops.replay;

import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.queue.SqsDeadLetterAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The worker's own dead-letter formats, read with the worker's own code so the two cannot drift
 * apart: {@link AzureDeadLetterEnvelope} around the original text on the Azure poison queue, and
 * {@link SqsDeadLetterAttributes} beside the untouched body on the SQS dead-letter queue.
 */
public final class SkyferryDeadLetterFormat implements DeadLetterFormat {

    public static final SkyferryDeadLetterFormat INSTANCE = new SkyferryDeadLetterFormat();

    private SkyferryDeadLetterFormat() {}

    @Override
    public Optional<Unwrapped> unwrapPoisonMessage(String messageText) {
        return AzureDeadLetterEnvelope.parse(messageText).map(envelope -> new Unwrapped(envelope.originalText(),
                new DeadLetterFacts(envelope.reason(), envelope.lastError(),
                        envelope.attempts() > 0 ? envelope.attempts() : null,
                        envelope.firstErrorAt(), envelope.deadLetteredAt())));
    }

    @Override
    public DeadLetterFacts sqsFacts(Map<String, MessageAttributeValue> attributes) {
        return new DeadLetterFacts(
                text(attributes, SqsDeadLetterAttributes.REASON),
                text(attributes, SqsDeadLetterAttributes.LAST_ERROR),
                integer(text(attributes, SqsDeadLetterAttributes.ATTEMPTS)),
                instant(text(attributes, SqsDeadLetterAttributes.FIRST_ERROR_AT)),
                instant(text(attributes, SqsDeadLetterAttributes.DEAD_LETTERED_AT)));
    }

    /** Exactly what {@link SqsDeadLetterAttributes#originalAttributes} strips. */
    @Override
    public boolean isDeadLetterAttribute(String attributeName) {
        return attributeName.startsWith(SqsDeadLetterAttributes.PREFIX);
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
