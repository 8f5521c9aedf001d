package dev.skyferry.event;

/**
 * The one entry point for turning queue messages into {@link ReplicationEvent}s. Stateless and
 * thread-safe; share one instance. Never throws: whatever a message holds, the result is a
 * {@link ParsedMessage} whose items are accepted, ignored with a reason, or failed with a reason
 * that says what was wrong and where ("record 2: s3.object.key missing").
 */
public final class EventParser {

    public EventParser() {}

    /**
     * An Azure Storage Queue message written by an Event Grid subscription: base64-encoded or raw
     * JSON, one event or an array, Event Grid schema or CloudEvents 1.0 schema.
     */
    public ParsedMessage parseAzureQueueMessage(String messageText) {
        try {
            return AzureEventParser.parse(messageText);
        } catch (RuntimeException unexpected) {
            return ParsedMessage.failed("could not parse Azure queue message: " + describe(unexpected));
        }
    }

    /**
     * An SQS message body carrying S3 changes: an S3 notification (several records possible),
     * the same inside an SNS envelope, or an EventBridge event. {@code s3:TestEvent} is ignored.
     */
    public ParsedMessage parseSqsMessage(String body) {
        try {
            return S3EventParser.parse(body);
        } catch (RuntimeException unexpected) {
            return ParsedMessage.failed("could not parse SQS message: " + describe(unexpected));
        }
    }

    // Last line of defence for the never-throw promise; the parsers report every known problem themselves.
    private static String describe(RuntimeException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
