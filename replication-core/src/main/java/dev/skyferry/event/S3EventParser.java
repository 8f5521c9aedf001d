package dev.skyferry.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyferry.event.ParsedMessage.Accepted;
import dev.skyferry.event.ParsedMessage.Failed;
import dev.skyferry.event.ParsedMessage.IgnoreCode;
import dev.skyferry.event.ParsedMessage.Ignored;
import dev.skyferry.event.ParsedMessage.Item;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.store.StoreKind;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SQS message bodies carrying S3 changes: an S3 notification ({@code Records}, several per
 * message), the same wrapped in an SNS envelope ({@code Message} is the notification as a JSON
 * string), or an EventBridge event ({@code detail-type} "Object Created" / "Object Deleted").
 * The AWS SDK's event model ({@code s3-event-notifications}) is not available here, so this is
 * Jackson throughout.
 */
final class S3EventParser {

    private static final String CREATED_PREFIX = "ObjectCreated:";
    private static final String REMOVED_PREFIX = "ObjectRemoved:";

    private S3EventParser() {}

    static ParsedMessage parse(String body) {
        if (body == null || body.isBlank()) {
            return ParsedMessage.failed("message body is empty");
        }
        try {
            return parseNotification(jsonObject(body, "message body"), "");
        } catch (NotAJsonObject e) {
            return ParsedMessage.failed(e.getMessage());
        }
    }

    /** {@code text} as a JSON object; {@code what} names it in the reason when it is not one. */
    private static JsonNode jsonObject(String text, String what) throws NotAJsonObject {
        JsonNode node;
        try {
            node = EventJson.parse(text);
        } catch (EventJson.MalformedJsonException e) {
            throw new NotAJsonObject(what + " is not valid JSON: " + e.getMessage());
        }
        if (!node.isObject()) {
            throw new NotAJsonObject(what + " is not a JSON object");
        }
        return node;
    }

    private static final class NotAJsonObject extends Exception {
        NotAJsonObject(String reason) {
            super(reason, null, false, false);
        }
    }

    /** @param via {@code ""} or {@code "SNS Message: "}, prefixed to reasons about the inner document */
    private static ParsedMessage parseNotification(JsonNode root, String via) {
        String snsType = EventJson.text(root, "Type");
        if (snsType != null && via.isEmpty() && root.has("TopicArn")) {
            return unwrapSns(root, snsType);
        }
        JsonNode records = root.get("Records");
        if (records != null) {
            return parseRecords(records, via);
        }
        if ("s3:TestEvent".equals(EventJson.text(root, "Event"))) {
            // Sent once when a notification configuration is saved; nothing to replicate.
            return new ParsedMessage(List.of(
                    new Ignored(IgnoreCode.TEST_EVENT, "s3:TestEvent", EventJson.text(root, "RequestId"))));
        }
        if (root.has("detail-type")) {
            return new ParsedMessage(List.of(parseEventBridge(root, via)));
        }
        return ParsedMessage.failed(via + "not an S3 notification: no Records, detail-type or Event field");
    }

    private static ParsedMessage unwrapSns(JsonNode envelope, String snsType) {
        String messageId = EventJson.text(envelope, "MessageId");
        if (!"Notification".equals(snsType)) {
            // SubscriptionConfirmation / UnsubscribeConfirmation: SNS housekeeping, not an object change.
            return new ParsedMessage(List.of(
                    new Ignored(IgnoreCode.SNS_HOUSEKEEPING, "SNS " + snsType + " message", messageId)));
        }
        String message = EventJson.text(envelope, "Message");
        if (message == null) {
            return ParsedMessage.failed("SNS envelope has no Message string");
        }
        try {
            return parseNotification(jsonObject(message, "SNS Message"), "SNS Message: ");
        } catch (NotAJsonObject e) {
            return ParsedMessage.failed(e.getMessage());
        }
    }

    private static ParsedMessage parseRecords(JsonNode records, String via) {
        if (!records.isArray()) {
            return ParsedMessage.failed(via + "Records is not an array");
        }
        if (records.isEmpty()) {
            return new ParsedMessage(List.of(new Ignored(IgnoreCode.NO_RECORDS, via + "Records is empty", null)));
        }
        List<Item> items = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            items.add(parseRecord(via + "record " + (i + 1), records.get(i)));
        }
        return new ParsedMessage(items);
    }

    private static Item parseRecord(String where, JsonNode record) {
        if (!record.isObject()) {
            return new Failed(where + ": not a JSON object", null);
        }
        JsonNode s3 = record.path("s3");
        JsonNode bucket = s3.path("bucket");
        JsonNode object = s3.path("object");
        String bucketName = EventJson.nonBlank(EventJson.text(bucket, "name"));
        String encodedKey = EventJson.text(object, "key");
        String sequencer = EventJson.nonBlank(EventJson.text(object, "sequencer"));
        String requestId = EventJson.nonBlank(EventJson.text(record.path("responseElements"), "x-amz-request-id"));
        String eventId = recordId(requestId, sequencer, bucketName, encodedKey);

        String eventName = EventJson.nonBlank(EventJson.text(record, "eventName"));
        if (eventName == null) {
            return new Failed(where + ": eventName missing", eventId);
        }
        // MinIO and Ceph prefix the name with "s3:"; AWS does not.
        String name = eventName.startsWith("s3:") ? eventName.substring(3) : eventName;
        EventKind kind;
        if (name.startsWith(CREATED_PREFIX)) {
            kind = EventKind.CREATED;
        } else if (name.startsWith(REMOVED_PREFIX)) {
            // Delete and DeleteMarkerCreated alike: the key no longer has a current version. With a
            // delete marker the old data survives as a noncurrent version, but for a replica the key is gone.
            kind = EventKind.DELETED;
        } else {
            // LifecycleExpiration:*, ObjectRestore:*, ObjectTagging:*, Replication:*, ...
            IgnoreCode code = name.startsWith("LifecycleExpiration:") ? IgnoreCode.LIFECYCLE_EXPIRATION
                    : IgnoreCode.EVENT_NOT_REPLICATED;
            return new Ignored(code, where + ": event " + eventName + " is not replicated", eventId);
        }
        if (bucketName == null) {
            return new Failed(where + ": s3.bucket.name missing", eventId);
        }
        if (encodedKey == null || encodedKey.isEmpty()) {
            return new Failed(where + ": s3.object.key missing", eventId);
        }
        String key;
        try {
            key = decodeNotificationKey(encodedKey);
        } catch (IllegalArgumentException e) {
            return new Failed(where + ": s3.object.key " + EventJson.excerpt(encodedKey)
                    + " is not form-encoded as S3 notifications are (" + e.getMessage() + ")", eventId);
        }
        Long size;
        try {
            size = EventJson.wholeNumber(object, "size");
        } catch (IllegalArgumentException e) {
            return new Failed(where + ": s3.object." + e.getMessage(), eventId);
        }
        return new Accepted(new ReplicationEvent(
                StoreKind.S3,
                null,
                bucketName,
                key,
                kind,
                kind == EventKind.CREATED ? EventJson.unquoteEtag(EventJson.text(object, "eTag")) : null,
                kind == EventKind.CREATED ? size : null,
                EventJson.nonBlank(EventJson.text(object, "versionId")),
                sequencer,
                EventJson.time(EventJson.text(record, "eventTime")),
                eventId,
                eventName,
                null,
                EventJson.nonBlank(EventJson.text(bucket, "arn"))));
    }

    private static Item parseEventBridge(JsonNode event, String via) {
        String where = via + "EventBridge event";
        String eventId = EventJson.nonBlank(EventJson.text(event, "id"));
        String detailType = EventJson.text(event, "detail-type");
        String source = EventJson.text(event, "source");
        if (source != null && !"aws.s3".equals(source)) {
            return new Ignored(IgnoreCode.EVENT_NOT_REPLICATED, where + ": source " + source + " is not aws.s3", eventId);
        }
        JsonNode detail = event.path("detail");
        String reason = EventJson.text(detail, "reason");
        EventKind kind;
        if ("Object Created".equals(detailType)) {
            kind = EventKind.CREATED;
        } else if ("Object Deleted".equals(detailType)) {
            if ("Lifecycle Expiration".equals(reason)) {
                // Direct notifications never report these (ObjectRemoved:* excludes lifecycle); be consistent.
                return new Ignored(IgnoreCode.LIFECYCLE_EXPIRATION,
                        where + ": Object Deleted by Lifecycle Expiration is not replicated", eventId);
            }
            kind = EventKind.DELETED;
        } else {
            return new Ignored(IgnoreCode.EVENT_NOT_REPLICATED, where + ": detail-type " + detailType + " is not replicated",
                    eventId);
        }
        if (!detail.isObject()) {
            return new Failed(where + ": detail missing", eventId);
        }
        String bucketName = EventJson.nonBlank(EventJson.text(detail.path("bucket"), "name"));
        if (bucketName == null) {
            return new Failed(where + ": detail.bucket.name missing", eventId);
        }
        JsonNode object = detail.path("object");
        String encodedKey = EventJson.text(object, "key");
        if (encodedKey == null || encodedKey.isEmpty()) {
            return new Failed(where + ": detail.object.key missing", eventId);
        }
        String key;
        try {
            key = decodeNotificationKey(encodedKey);
        } catch (IllegalArgumentException e) {
            return new Failed(where + ": detail.object.key " + EventJson.excerpt(encodedKey)
                    + " is not form-encoded (" + e.getMessage() + ")", eventId);
        }
        Long size;
        try {
            size = EventJson.wholeNumber(object, "size");
        } catch (IllegalArgumentException e) {
            return new Failed(where + ": detail.object." + e.getMessage(), eventId);
        }
        JsonNode resources = event.path("resources");
        String bucketArn = resources.isArray() && !resources.isEmpty() && resources.get(0).isTextual()
                ? resources.get(0).textValue() : null;
        return new Accepted(new ReplicationEvent(
                StoreKind.S3,
                null,
                bucketName,
                key,
                kind,
                kind == EventKind.CREATED ? EventJson.unquoteEtag(EventJson.text(object, "etag")) : null,
                kind == EventKind.CREATED ? size : null,
                EventJson.nonBlank(EventJson.text(object, "version-id")),
                EventJson.nonBlank(EventJson.text(object, "sequencer")),
                EventJson.time(EventJson.text(event, "time")),
                eventId,
                reason == null ? detailType : detailType + ":" + reason,
                null,
                bucketArn));
    }

    /**
     * S3 notification keys are form-encoded: {@code +} is a space, {@code %2B} a plus (S3 docs
     * notification-content-structure: "red flower.jpg" becomes "red+flower.jpg"). A plain URI
     * decode — what the SDK's own S3Object helper does — would keep {@code +} and corrupt keys with
     * spaces, so this is {@link URLDecoder}.
     *
     * <p>EventBridge keys are decoded the same way. The S3 EventBridge docs (userguide ev-events) do not
     * say; AWS's own Powertools for Lambda (Python) form-decodes {@code detail.object.key}
     * ({@code unquote_plus} in {@code utilities/data_classes/s3_event.py},
     * S3EventBridgeNotificationObject.key, since #2024), and LocalStack's parity implementation
     * ({@code services/s3/notifications.py}) URL-encodes the key in its EventBridge payload exactly as in
     * its SQS/SNS payloads. moto sends the raw key for EventBridge; we follow AWS's library. To be
     * confirmed against real S3 (see the README's "verified only on real clouds").
     *
     * @throws IllegalArgumentException on a malformed {@code %} escape
     */
    static String decodeNotificationKey(String encoded) {
        if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) {
            return encoded; // the common case: nothing to decode, no allocation
        }
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    /**
     * Stable across redeliveries of the same record: the request id and the sequencer together
     * identify one change to one key (one request may change several keys, e.g. batch delete).
     */
    private static String recordId(String requestId, String sequencer, String bucket, String encodedKey) {
        if (requestId != null && sequencer != null) {
            return requestId + ":" + sequencer;
        }
        if (requestId != null) {
            return requestId + ":" + bucket + "/" + encodedKey;
        }
        return sequencer == null ? null : bucket + "/" + encodedKey + ":" + sequencer;
    }
}
