package dev.skyferry.ops.replay;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * How the worker records why it dead-lettered a message: an envelope around the original text on
 * the Azure poison queue, message attributes beside the untouched body on the SQS dead-letter queue.
 * Replay reads the facts for its filters and reports and strips them, so exactly the original goes
 * back.
 */
public interface DeadLetterFormat {

    /**
     * @return the original message text and the facts, or empty when {@code messageText} is not the
     *         worker's envelope (moved by hand or by another tool: it then goes back as it is)
     */
    Optional<Unwrapped> unwrapPoisonMessage(String messageText);

    /** The facts the worker put into a dead-letter queue message's attributes; null fields where absent. */
    DeadLetterFacts sqsFacts(Map<String, MessageAttributeValue> attributes);

    /** True for the attributes the worker adds when dead-lettering; they are not sent back. */
    boolean isDeadLetterAttribute(String attributeName);

    record Unwrapped(String originalText, DeadLetterFacts facts) {}
}
