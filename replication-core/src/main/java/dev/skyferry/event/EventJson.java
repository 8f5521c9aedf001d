package dev.skyferry.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** The one shared Jackson mapper and the small field readers both parsers use. */
final class EventJson {

    /** Thread-safe once configured; shared so no parse pays for building one. */
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private static final int EXCERPT_LENGTH = 60;

    private EventJson() {}

    /** Parses JSON text; the exception message says what was wrong and where (line, column). */
    static JsonNode parse(String json) throws MalformedJsonException {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("no JSON content");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + " column " + where.getColumnNr();
            throw new MalformedJsonException(e.getOriginalMessage() + at);
        }
    }

    /** A text field, or null when absent, null or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** Text that is present and not blank, else null. */
    static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * A whole number field, also accepted as a string of digits.
     *
     * @throws IllegalArgumentException when present but not a whole number
     */
    static Long wholeNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.textValue().trim());
            } catch (NumberFormatException ignored) {
                // reported below with the offending value
            }
        }
        String json = value.toString(); // JSON text: a string shows its own quotes
        throw new IllegalArgumentException(field + " is not a whole number: "
                + (json.length() <= EXCERPT_LENGTH ? json : json.substring(0, EXCERPT_LENGTH) + "…"));
    }

    /**
     * Event times as the clouds write them: ISO-8601 with 0–9 fractional digits (Event Grid sends 7),
     * with an offset or {@code Z}; a time without an offset is read as UTC. Null when absent or
     * unreadable — an event time is informational (lag metrics), so a bad one must not cost the event.
     */
    static Instant time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.trim());
            if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
                return Instant.from(parsed);
            }
            return LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) { // parse errors and "no instant in this text" alike
            return null;
        }
    }

    /** Azure sends {@code "0x8D…"} with quotes in some payloads and without in others; S3 rarely quotes. */
    static String unquoteEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String trimmed = etag.trim();
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** A short, single-line excerpt of input for failure reasons. */
    static String excerpt(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= EXCERPT_LENGTH
                ? "'" + oneLine + "'"
                : "'" + oneLine.substring(0, EXCERPT_LENGTH) + "…'";
    }

    static final class MalformedJsonException extends Exception {
        MalformedJsonException(String message) {
            super(message, null, false, false);
        }
    }
}
