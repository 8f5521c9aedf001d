package dev.skyferry.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes events exactly as the clouds deliver them: an Event Grid {@code BlobCreated} event as Event
 * Grid puts it on a storage queue, and an S3 {@code ObjectCreated:Put} notification as S3 sends it to
 * SQS. Used by {@code skyferry backfill --enqueue} (the fleet then processes listings like live
 * traffic) and by {@code skyferry local --seed}.
 */
public final class SyntheticEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticEvents() {}

    /**
     * One Event Grid schema event (not an array), as delivered to a storage queue.
     *
     * @param blobEndpoint e.g. {@code https://acct.blob.core.windows.net} or an emulator's
     *                     {@code http://127.0.0.1:10000/devstoreaccount1}
     */
    public static String azureBlobCreated(String account, String container, String blobName, String etag,
                                          long size, String contentType, String sequencer, String blobEndpoint,
                                          Instant time) {
        ObjectNode event = JSON.createObjectNode();
        event.put("topic", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/skyferry"
                + "/providers/Microsoft.Storage/storageAccounts/" + account);
        event.put("subject", "/blobServices/default/containers/" + container + "/blobs/" + blobName);
        event.put("eventType", "Microsoft.Storage.BlobCreated");
        event.put("id", UUID.randomUUID().toString());
        event.put("eventTime", time.toString());
        ObjectNode data = event.putObject("data");
        data.put("api", "PutBlob");
        data.put("clientRequestId", UUID.randomUUID().toString());
        data.put("requestId", UUID.randomUUID().toString());
        data.put("eTag", etag);
        data.put("contentType", contentType == null ? "application/octet-stream" : contentType);
        data.put("contentLength", size);
        // Whatever the listed blob's type: backfill copies an append or page blob as it is now, which is
        // how those get replicated at all (the worker ignores their live BlobCreated).
        data.put("blobType", "BlockBlob");
        data.put("url", trimSlash(blobEndpoint) + "/" + container + "/" + encodePath(blobName));
        data.put("sequencer", sequencer);
        data.putObject("storageDiagnostics").put("batchId", UUID.randomUUID().toString());
        event.put("dataVersion", "");
        event.put("metadataVersion", "1");
        return event.toString();
    }

    /** An S3 notification message with one {@code ObjectCreated:Put} record, key form-encoded as S3 does. */
    public static String s3ObjectCreated(String region, String bucket, String key, long size, String etag,
                                         String versionId, String sequencer, Instant time) {
        ObjectNode message = JSON.createObjectNode();
        ArrayNode records = message.putArray("Records");
        ObjectNode record = records.addObject();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", region);
        record.put("eventTime", time.toString());
        record.put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", "AWS:SKYFERRY");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = record.putObject("responseElements");
        response.put("x-amz-request-id", UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase());
        response.put("x-amz-id-2", UUID.randomUUID().toString());
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "skyferry");
        ObjectNode bucketNode = s3.putObject("bucket");
        bucketNode.put("name", bucket);
        bucketNode.putObject("ownerIdentity").put("principalId", "SKYFERRY");
        bucketNode.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode object = s3.putObject("object");
        object.put("key", formEncodeKey(key));
        object.put("size", size);
        object.put("eTag", etag);
        if (versionId != null) {
            object.put("versionId", versionId);
        }
        object.put("sequencer", sequencer);
        return message.toString();
    }

    /** S3's notification key encoding: form encoding (space → '+', '+' → %2B), slashes left as they are. */
    static String formEncodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** data.url is a URL: percent-encode each path segment of the blob name. */
    private static String encodePath(String blobName) {
        return URLEncoder.encode(blobName, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    private static String trimSlash(String endpoint) {
        return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    }
}
