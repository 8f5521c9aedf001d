package dev.skyferry.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * How a message Skyferry dead-letters to an SQS DLQ looks: the original body unchanged, the original
 * message attributes unchanged, plus these message attributes with the facts:
 *
 * <table>
 *   <caption>Skyferry's dead-letter attributes, in the order they are added</caption>
 *   <tr><td>{@value #REASON}</td><td>String</td><td>reason code, e.g. {@code forbidden}</td></tr>
 *   <tr><td>{@value #ATTEMPTS}</td><td>Number</td><td>ApproximateReceiveCount when moved</td></tr>
 *   <tr><td>{@value #LAST_ERROR}</td><td>String</td><td>the error that ended it</td></tr>
 *   <tr><td>{@value #DEAD_LETTERED_AT}</td><td>String</td><td>ISO-8601 instant</td></tr>
 *   <tr><td>{@value #FIRST_ERROR}</td><td>String</td><td>first error this worker saw</td></tr>
 *   <tr><td>{@value #FIRST_ERROR_AT}</td><td>String</td><td>ISO-8601 instant</td></tr>
 *   <tr><td>{@value #SOURCE}</td><td>String</td><td>the source's name</td></tr>
 *   <tr><td>{@value #ORIGINAL_MESSAGE_ID}</td><td>String</td><td>the message id in the source queue</td></tr>
 * </table>
 *
 * SQS allows 10 message attributes: the original's are always kept, and the facts are added in the
 * order above while there is room (S3 notifications carry none, so all fit). Error texts are cut to
 * {@value #MAX_VALUE_CHARS} characters. Messages moved by the queue's own redrive policy (transient
 * failures that outlived maxReceiveCount) carry no such attributes.
 *
 * <p>Replay: send the body as is with {@link #originalAttributes} of the dead-lettered message.
 */
public final class SqsDeadLetterAttributes {

    public static final String PREFIX = "Skyferry.";
    public static final String REASON = "Skyferry.DeadLetterReason";
    public static final String ATTEMPTS = "Skyferry.Attempts";
    public static final String LAST_ERROR = "Skyferry.LastError";
    public static final String DEAD_LETTERED_AT = "Skyferry.DeadLetteredAt";
    public static final String FIRST_ERROR = "Skyferry.FirstError";
    public static final String FIRST_ERROR_AT = "Skyferry.FirstErrorAt";
    public static final String SOURCE = "Skyferry.Source";
    public static final String ORIGINAL_MESSAGE_ID = "Skyferry.OriginalMessageId";

    /** SQS's limit on message attributes per message. */
    public static final int MAX_ATTRIBUTES = 10;
    static final int MAX_VALUE_CHARS = 1_024;

    private SqsDeadLetterAttributes() {}

    /**
     * The attributes for the DLQ copy: {@code original} plus as many facts as fit.
     *
     * @return the attributes, in insertion order
     */
    static Map<String, MessageAttributeValue> withFacts(Map<String, MessageAttributeValue> original,
                                                        DeadLetterFacts facts, String source, String messageId) {
        Map<String, MessageAttributeValue> all = new LinkedHashMap<>(original);
        all.keySet().removeIf(name -> name.startsWith(PREFIX)); // stale facts of an earlier dead-lettering
        Map<String, MessageAttributeValue> factAttributes = new LinkedHashMap<>();
        factAttributes.put(REASON, string(facts.reason()));
        factAttributes.put(ATTEMPTS, MessageAttributeValue.builder().dataType("Number").stringValue(Integer.toString(facts.attempts())).build());
        factAttributes.put(LAST_ERROR, string(facts.lastError()));
        factAttributes.put(DEAD_LETTERED_AT, string(facts.deadLetteredAt().toString()));
        factAttributes.put(FIRST_ERROR, string(facts.firstError()));
        factAttributes.put(FIRST_ERROR_AT, string(facts.firstErrorAt().toString()));
        factAttributes.put(SOURCE, string(source));
        factAttributes.put(ORIGINAL_MESSAGE_ID, string(messageId));
        for (Map.Entry<String, MessageAttributeValue> fact : factAttributes.entrySet()) {
            if (all.size() >= MAX_ATTRIBUTES) {
                break;
            }
            all.put(fact.getKey(), fact.getValue());
        }
        return all;
    }

    /** A dead-lettered message's attributes without Skyferry's facts: what the original carried. */
    public static Map<String, MessageAttributeValue> originalAttributes(Map<String, MessageAttributeValue> deadLettered) {
        Map<String, MessageAttributeValue> original = new LinkedHashMap<>(deadLettered);
        original.keySet().removeIf(name -> name.startsWith(PREFIX));
        return original;
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(sqsSafe(value)).build();
    }

    /**
     * SQS rejects empty string values and characters outside XML's allowed set; cut long texts.
     */
    static String sqsSafe(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder safe = new StringBuilder(Math.min(value.length(), MAX_VALUE_CHARS + 1));
        int i = 0;
        while (i < value.length() && safe.length() < MAX_VALUE_CHARS) {
            int codePoint = value.codePointAt(i);
            boolean allowed = codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD
                    || (codePoint >= 0x20 && codePoint <= 0xD7FF) || (codePoint >= 0xE000 && codePoint <= 0xFFFD)
                    || (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
            safe.appendCodePoint(allowed ? codePoint : '?');
            i += Character.charCount(codePoint);
        }
        if (i < value.length()) {
            safe.append('…');
        }
        return safe.toString();
    }
}
