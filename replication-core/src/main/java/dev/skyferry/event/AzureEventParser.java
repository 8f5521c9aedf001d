package dev.skyferry.event;

import com.azure.core.models.CloudEvent;
import com.azure.core.util.BinaryData;
import com.azure.messaging.eventgrid.EventGridEvent;
import com.azure.messaging.eventgrid.SystemEventNames;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyferry.event.ParsedMessage.Failed;
import dev.skyferry.event.ParsedMessage.Item;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Azure Storage Queue messages written by Event Grid: base64 or raw JSON, one event or an array,
 * Event Grid schema or CloudEvents 1.0.
 *
 * <p>The Azure SDK ({@link EventGridEvent#fromString}, {@link CloudEvent#fromString} and the storage
 * system-event data classes) reads well-formed messages. It rejects a whole array when one event lacks a
 * field it considers mandatory (e.g. {@code dataVersion}), and its errors name no field precisely, so when
 * it throws the message is read again with Jackson, event by event, and every problem is reported with
 * where it is. Note: the SDK logs its own exception at ERROR before throwing; silence the loggers
 * {@code com.azure.messaging.eventgrid} and {@code com.azure.core.models} if that is unwanted.
 */
final class AzureEventParser {

    private AzureEventParser() {}

    static ParsedMessage parse(String messageText) {
        QueueText.Decoded decoded = QueueText.decode(messageText);
        if (decoded instanceof QueueText.Undecodable(String reason)) {
            return ParsedMessage.failed(reason);
        }
        String json = ((QueueText.Json) decoded).text();
        List<AzureEventFields> events;
        try {
            events = readWithSdk(json);
        } catch (RuntimeException sdkRejected) {
            return readWithJackson(json);
        }
        return toMessage(events);
    }

    private static ParsedMessage toMessage(List<AzureEventFields> events) {
        if (events.isEmpty()) {
            return ParsedMessage.failed("message holds no events (empty array)");
        }
        List<Item> items = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            items.addAll(AzureEventMapper.toItems("event " + (i + 1), events.get(i)));
        }
        return new ParsedMessage(items);
    }

    /** CloudEvents carry {@code specversion}; Event Grid schema events never do. */
    private static boolean isCloudEvents(String json) {
        return json.contains("\"specversion\"");
    }

    // ---- the SDK reader -------------------------------------------------------------------------

    /** @throws RuntimeException whenever the SDK cannot read the message */
    @SuppressWarnings("deprecation") // the storage data classes are deprecated in 4.31 but still the SDK's model
    static List<AzureEventFields> readWithSdk(String json) {
        List<AzureEventFields> events = new ArrayList<>();
        if (isCloudEvents(json)) {
            for (CloudEvent event : CloudEvent.fromString(json)) {
                events.add(fromSdk(event.getId(), event.getType(), event.getSubject(), event.getSource(),
                        event.getTime(), event.getData()));
            }
        } else {
            for (EventGridEvent event : EventGridEvent.fromString(json)) {
                events.add(fromSdk(event.getId(), event.getEventType(), event.getSubject(), event.getTopic(),
                        event.getEventTime(), event.getData()));
            }
        }
        return events;
    }

    @SuppressWarnings("deprecation")
    private static AzureEventFields fromSdk(String id, String type, String subject, String topic,
                                            OffsetDateTime time, BinaryData data) {
        boolean hasData = data != null;
        String api = null;
        String etag = null;
        Long length = null;
        String blobType = null;
        String url = null;
        String renamedFromUrl = null;
        String sequencer = null;
        // Other event types are ignored by type alone; their data is never read.
        if (hasData && SystemEventNames.STORAGE_BLOB_CREATED.equals(type)) {
            var created = data.toObject(com.azure.messaging.eventgrid.systemevents.StorageBlobCreatedEventData.class);
            api = created.getApi();
            etag = created.getETag();
            length = created.getContentLength();
            blobType = created.getBlobType();
            url = created.getUrl();
            sequencer = created.getSequencer();
        } else if (hasData && SystemEventNames.STORAGE_BLOB_DELETED.equals(type)) {
            var deleted = data.toObject(com.azure.messaging.eventgrid.systemevents.StorageBlobDeletedEventData.class);
            api = deleted.getApi();
            url = deleted.getUrl();
            sequencer = deleted.getSequencer();
        } else if (hasData && SystemEventNames.STORAGE_BLOB_RENAMED.equals(type)) {
            var renamed = data.toObject(com.azure.messaging.eventgrid.systemevents.StorageBlobRenamedEventData.class);
            api = renamed.getApi();
            url = renamed.getDestinationUrl();
            renamedFromUrl = renamed.getSourceUrl();
            sequencer = renamed.getSequencer();
        }
        return new AzureEventFields(id, type, subject, topic, time == null ? null : time.toInstant(), hasData,
                api, etag, length, blobType, url, renamedFromUrl, sequencer);
    }

    // ---- the Jackson reader ---------------------------------------------------------------------

    static ParsedMessage readWithJackson(String json) {
        JsonNode root;
        try {
            root = EventJson.parse(json);
        } catch (EventJson.MalformedJsonException e) {
            return ParsedMessage.failed("message is not valid JSON: " + e.getMessage());
        }
        if (root.isObject()) {
            return new ParsedMessage(readEvent("event 1", root));
        }
        if (!root.isArray()) {
            return ParsedMessage.failed("message is neither a JSON object nor an array of events");
        }
        if (root.isEmpty()) {
            return ParsedMessage.failed("message holds no events (empty array)");
        }
        List<Item> items = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            items.addAll(readEvent("event " + (i + 1), root.get(i)));
        }
        return new ParsedMessage(items);
    }

    private static List<Item> readEvent(String where, JsonNode node) {
        if (!node.isObject()) {
            return List.of(new Failed(where + ": not a JSON object", null));
        }
        String id = EventJson.text(node, "id");
        boolean cloudEvent = node.has("specversion");
        JsonNode data = node.get("data");
        boolean hasData = data != null && data.isObject();
        Long length;
        try {
            length = hasData ? EventJson.wholeNumber(data, "contentLength") : null;
        } catch (IllegalArgumentException e) {
            return List.of(new Failed(where + ": data." + e.getMessage(), id));
        }
        String type = EventJson.text(node, cloudEvent ? "type" : "eventType");
        boolean renamed = SystemEventNames.STORAGE_BLOB_RENAMED.equals(type);
        AzureEventFields fields = new AzureEventFields(
                id,
                type,
                EventJson.text(node, "subject"),
                EventJson.text(node, cloudEvent ? "source" : "topic"),
                EventJson.time(EventJson.text(node, cloudEvent ? "time" : "eventTime")),
                hasData,
                hasData ? EventJson.text(data, "api") : null,
                hasData ? EventJson.text(data, "eTag") : null,
                length,
                hasData ? EventJson.text(data, "blobType") : null,
                hasData ? EventJson.text(data, renamed ? "destinationUrl" : "url") : null,
                hasData && renamed ? EventJson.text(data, "sourceUrl") : null,
                hasData ? EventJson.text(data, "sequencer") : null);
        return AzureEventMapper.toItems(where, fields);
    }
}
