package dev.skyferry.worker;

import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ParsedMessage.IgnoreCode;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.store.StoreKind;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * A tiny message language for worker tests, so that they need no real event payloads: a message is
 * items separated by {@code |}: {@code copy:<key>} (an event), {@code ignore:<code>} (an ignore code's label,
 * e.g. {@code ignore:test-event}), anything else unreadable.
 */
final class TestEvents {

    static final Instant EVENT_TIME = Instant.parse("2025-01-01T00:00:00Z");

    private TestEvents() {}

    static MessageParser parser(StoreKind kind) {
        return text -> new ParsedMessage(Arrays.stream(text.split("\\|")).map(part -> item(kind, part)).toList());
    }

    private static ParsedMessage.Item item(StoreKind kind, String part) {
        if (part.startsWith("copy:")) {
            return new ParsedMessage.Accepted(event(kind, part.substring("copy:".length())));
        }
        if (part.startsWith("ignore:")) {
            String label = part.substring("ignore:".length());
            return new ParsedMessage.Ignored(IgnoreCode.valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_')),
                    "ignored for the test: " + label, "event-" + part);
        }
        return new ParsedMessage.Failed("not an event: " + part, null);
    }

    static ReplicationEvent event(StoreKind kind, String key) {
        return new ReplicationEvent(kind, kind == StoreKind.AZURE_BLOB ? "account" : null, "container", key,
                ReplicationEvent.EventKind.CREATED, "etag", 3L, null, "0001", EVENT_TIME, "id-" + key, "PutBlob",
                null, null);
    }
}
