package dev.skyferry.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A message in an Azure poison queue: the original message text, unchanged, wrapped with the facts of
 * why it was dead-lettered. Azure queue messages have no attributes, so the facts travel in the body.
 *
 * <p>Format ({@value #FORMAT}), one JSON object, facts first so they read well in Storage Explorer:
 * <pre>{@code
 * {"format":"skyferry-dead-letter/1",
 *  "reason":"unparseable", "attempts":1,
 *  "firstError":"...", "firstErrorAt":"2025-01-01T00:00:00Z",
 *  "lastError":"...", "deadLetteredAt":"2025-01-01T00:00:05Z",
 *  "source":"azure-events", "queue":"skyferry-events", "messageId":"...", "insertedAt":"...",
 *  "originalText":"<the message text exactly as it was in the queue>"}
 * }</pre>
 * Both queues are read and written with {@code QueueMessageEncoding.NONE}, so {@code originalText} is
 * the queue's text as stored (base64 or raw JSON, whichever Event Grid wrote) and JSON string escaping
 * round-trips it exactly: {@code replay} sends {@link #originalText()} back byte for byte.
 *
 * <p>Size: a queue message holds at most 64 KiB. Error texts are cut to {@value #MAX_ERROR_CHARS}
 * characters, then to {@value #SHORT_ERROR_CHARS} if the envelope is still too big; if even that does
 * not fit, the original text is moved alone (no envelope; the facts are in the worker's log). A
 * poison message that is not an envelope is therefore an original as-is, which is also what Azure
 * Functions and other tools leave there: {@link #parse} returns empty for it and replay takes it as is.
 */
public record AzureDeadLetterEnvelope(String reason, int attempts, String firstError, Instant firstErrorAt,
                                      String lastError, Instant deadLetteredAt, String source, String queue,
                                      String messageId, Instant insertedAt, String originalText) {

    public static final String FORMAT = "skyferry-dead-letter/1";
    /** Azure Queue's message size limit, in UTF-8 bytes of the text. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_ERROR_CHARS = 2_000;
    static final int SHORT_ERROR_CHARS = 200;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    static AzureDeadLetterEnvelope of(DeadLetterFacts facts, String source, String queue, ReceivedMessage message) {
        return new AzureDeadLetterEnvelope(facts.reason(), facts.attempts(), facts.firstError(), facts.firstErrorAt(),
                facts.lastError(), facts.deadLetteredAt(), source, queue, message.messageId(), message.enqueuedAt(),
                message.text());
    }

    /**
     * This envelope as JSON that fits {@link #MAX_MESSAGE_BYTES}, error texts shortened as needed;
     * empty when even the shortest form does not fit (then the original text is moved alone).
     */
    Optional<String> fittingJson() {
        for (int errorChars : new int[] {MAX_ERROR_CHARS, SHORT_ERROR_CHARS}) {
            String json = toJson(errorChars);
            if (json.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES) {
                return Optional.of(json);
            }
        }
        return Optional.empty();
    }

    /** The envelope as JSON, error texts cut to {@value #MAX_ERROR_CHARS} characters. */
    public String toJson() {
        return toJson(MAX_ERROR_CHARS);
    }

    private String toJson(int errorChars) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeStringField("reason", reason);
            json.writeNumberField("attempts", attempts);
            json.writeStringField("firstError", cut(firstError, errorChars));
            writeInstant(json, "firstErrorAt", firstErrorAt);
            json.writeStringField("lastError", cut(lastError, errorChars));
            writeInstant(json, "deadLetteredAt", deadLetteredAt);
            json.writeStringField("source", source);
            json.writeStringField("queue", queue);
            json.writeStringField("messageId", messageId);
            writeInstant(json, "insertedAt", insertedAt);
            json.writeStringField("originalText", originalText);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dead-letter envelope", e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * Reads a poison-queue message.
     *
     * @return empty when the text is not a Skyferry envelope (an original moved as is)
     */
    public static Optional<AzureDeadLetterEnvelope> parse(String poisonText) {
        JsonNode node;
        try {
            node = JSON.readTree(poisonText);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        if (node == null || !node.isObject() || !FORMAT.equals(node.path("format").asText(null))
                || !node.path("originalText").isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new AzureDeadLetterEnvelope(
                node.path("reason").asText(null), node.path("attempts").asInt(0),
                node.path("firstError").asText(null), instant(node, "firstErrorAt"),
                node.path("lastError").asText(null), instant(node, "deadLetteredAt"),
                node.path("source").asText(null), node.path("queue").asText(null),
                node.path("messageId").asText(null), instant(node, "insertedAt"),
                node.path("originalText").asText()));
    }

    private static void writeInstant(JsonGenerator json, String field, Instant value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value.toString());
        }
    }

    private static Instant instant(JsonNode node, String field) {
        String text = node.path(field).asText(null);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String cut(String text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return text.substring(0, end) + "…";
    }
}
