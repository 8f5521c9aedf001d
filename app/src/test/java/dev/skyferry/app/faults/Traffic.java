package dev.skyferry.app.faults;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.queue.QueueClient;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.worker.Direction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Writes source objects and publishes their events exactly as Event Grid and S3 deliver them
 * ({@link SyntheticEvents}), plus poison, and records each in the ledger with the outcome it must
 * end in. Talks to the emulators directly, never through the fault proxies: the faults are the
 * worker's to suffer.
 */
final class Traffic {

    /** A rule-less container / bucket: its events reach the worker but no rule covers them. */
    static final String UNCOVERED = "nobody-covers-this";
    /** The prefix the suite's rule excludes. */
    static final String EXCLUDED_PREFIX = "tmp/";
    private static final String CONTENT_TYPE = "application/octet-stream";
    /** Part and block size of the objects written in parts: S3's smallest part. */
    private static final int PARTED_PART = 5 << 20;
    /** Names that trip encoders: spaces, plus signs, percent, non-ASCII. */
    private static final String[] ODD_NAMES = {"report.csv", "photo ünïcode.jpg", "a+b=c.json", "notes 100%.txt",
            "dir/nested/item.dat", "space in name.bin"};

    private final Emulators emulators;
    private final BlobContainerClient container;
    private final String containerName;
    private final String bucket;
    private final QueueClient azureQueue;
    private final String sqsQueueUrl;
    /** The blob endpoint as the worker knows it (through its fault proxy): Event Grid's data.url host. */
    private final String workerBlobEndpoint;
    private final Random random = new Random(20_250_101);
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1_000);
    private final List<SuiteEvent> ledger = new CopyOnWriteArrayList<>();

    Traffic(Emulators emulators, String containerName, String bucket, QueueClient azureQueue, String sqsQueueUrl,
            String workerBlobEndpoint) {
        this.emulators = emulators;
        this.containerName = containerName;
        this.container = emulators.blobService().getBlobContainerClient(containerName);
        this.bucket = bucket;
        this.azureQueue = azureQueue;
        this.sqsQueueUrl = sqsQueueUrl;
        this.workerBlobEndpoint = workerBlobEndpoint;
    }

    List<SuiteEvent> ledger() {
        return List.copyOf(ledger);
    }

    // ---------------------------------------------------------------- objects to replicate

    /** One new blob per size, each announced on the Azure queue. */
    List<SuiteEvent> azureObjects(String phase, int... sizes) {
        List<SuiteEvent> events = new ArrayList<>();
        for (int size : sizes) {
            int id = ids.incrementAndGet();
            events.add(azureObject(phase, id, "a2s/" + phase + "/" + id + "-" + name(id, size), size, SuiteEvent.Kind.REPLICATE, null));
        }
        return events;
    }

    /** One new S3 object per size, each announced on SQS. */
    List<SuiteEvent> s3Objects(String phase, int... sizes) {
        List<SuiteEvent> events = new ArrayList<>();
        for (int size : sizes) {
            int id = ids.incrementAndGet();
            events.add(s3Object(phase, id, "s2a/" + phase + "/" + id + "-" + name(id, size), size, SuiteEvent.Kind.REPLICATE, null));
        }
        return events;
    }

    /** One object on each side under the excluded prefix. */
    List<SuiteEvent> filtered(String phase) {
        int azureId = ids.incrementAndGet();
        int s3Id = ids.incrementAndGet();
        return List.of(
                azureObject(phase, azureId, EXCLUDED_PREFIX + "a2s/" + azureId + ".part", 2_048, SuiteEvent.Kind.SKIP_FILTERED, "filtered"),
                s3Object(phase, s3Id, EXCLUDED_PREFIX + "s2a/" + s3Id + ".part", 2_048, SuiteEvent.Kind.SKIP_FILTERED, "filtered"));
    }

    private String name(int id, int size) {
        return size > 1 << 20 ? "large.bin" : ODD_NAMES[id % ODD_NAMES.length];
    }

    private SuiteEvent azureObject(String phase, int id, String key, int size, SuiteEvent.Kind kind, String reason) {
        byte[] data = bytes(size);
        byte[] md5 = md5(data);
        // One Put Blob with Content-MD5, so the source reports its MD5 as the service does for Put Blob.
        String etag = container.getBlobClient(key).getBlockBlobClient().uploadWithResponse(
                new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                        .setHeaders(new BlobHttpHeaders().setContentType(CONTENT_TYPE).setContentMd5(md5)),
                null, Context.NONE).getValue().getETag();
        return announceBlob(phase, id, key, size, kind, reason, md5, true, etag);
    }

    /**
     * One new blob of {@code size} written as staged blocks without any MD5 (as SDK uploads and AzCopy
     * write large blobs): the worker reads it with ranged GETs as well.
     */
    SuiteEvent azurePartedObject(String phase, int size) {
        int id = ids.incrementAndGet();
        String key = "a2s/" + phase + "/" + id + "-parted.bin";
        byte[] data = bytes(size);
        BlockBlobClient blob = container.getBlobClient(key).getBlockBlobClient();
        List<String> blockIds = new ArrayList<>();
        for (int offset = 0; offset < size; offset += PARTED_PART) {
            String blockId = Base64.getEncoder().encodeToString(String.format("block-%06d", blockIds.size()).getBytes());
            blob.stageBlock(blockId, BinaryData.fromBytes(Arrays.copyOfRange(data, offset, Math.min(size, offset + PARTED_PART))));
            blockIds.add(blockId);
        }
        String etag = blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                .setHeaders(new BlobHttpHeaders().setContentType(CONTENT_TYPE)), null, Context.NONE).getValue().getETag();
        return announceBlob(phase, id, key, size, SuiteEvent.Kind.REPLICATE, null, md5(data), false, etag);
    }

    private SuiteEvent announceBlob(String phase, int id, String key, int size, SuiteEvent.Kind kind, String reason,
                                    byte[] md5, boolean sourceReportsMd5, String etag) {
        String event = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), containerName, key, etag, size,
                CONTENT_TYPE, nextSequencer(), workerBlobEndpoint, Instant.now());
        azureQueue.sendMessage(event);
        return record(new SuiteEvent(id, phase, kind, Direction.AZURE_TO_S3, key, size, base64(md5), sourceReportsMd5,
                unquote(etag), event, reason, null));
    }

    private SuiteEvent s3Object(String phase, int id, String key, int size, SuiteEvent.Kind kind, String reason) {
        byte[] data = bytes(size);
        byte[] md5 = md5(data);
        // One PutObject, so the ETag is the MD5 (no multipart ETag).
        String etag = s3().putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE).contentMD5(base64(md5)),
                RequestBody.fromBytes(data)).eTag();
        return announceS3Object(phase, id, key, size, kind, reason, md5, true, etag);
    }

    /**
     * One new S3 object of {@code size} written by a multipart upload (its ETag is not an MD5): the
     * worker reads it with ranged GETs as well.
     */
    SuiteEvent s3PartedObject(String phase, int size) {
        int id = ids.incrementAndGet();
        String key = "s2a/" + phase + "/" + id + "-parted.bin";
        byte[] data = bytes(size);
        String uploadId = s3().createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        for (int offset = 0; offset < size; offset += PARTED_PART) {
            int partNumber = parts.size() + 1;
            byte[] part = Arrays.copyOfRange(data, offset, Math.min(size, offset + PARTED_PART));
            String partEtag = s3().uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                    RequestBody.fromBytes(part)).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(partEtag).build());
        }
        String etag = s3().completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))).eTag();
        return announceS3Object(phase, id, key, size, SuiteEvent.Kind.REPLICATE, null, md5(data), false, etag);
    }

    private SuiteEvent announceS3Object(String phase, int id, String key, int size, SuiteEvent.Kind kind, String reason,
                                        byte[] md5, boolean sourceReportsMd5, String etag) {
        String message = SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), bucket, key, size, "\"" + unquote(etag) + "\"",
                null, nextSequencer(), Instant.now());
        sqs().sendMessage(b -> b.queueUrl(sqsQueueUrl).messageBody(message));
        return record(new SuiteEvent(id, phase, kind, Direction.S3_TO_AZURE, key, size, base64(md5), sourceReportsMd5,
                unquote(etag), message, reason, null));
    }

    // ---------------------------------------------------------------- echoes of Skyferry's own writes

    /**
     * The event the cloud publishes when Skyferry writes the replica of {@code replicated}: an S3
     * notification for an azure-to-s3 replica, an Event Grid event for an s3-to-azure one.
     */
    SuiteEvent echoOf(String phase, SuiteEvent replicated) {
        int id = ids.incrementAndGet();
        String key = replicated.key();
        if (replicated.direction() == Direction.AZURE_TO_S3) {
            var head = s3().headObject(b -> b.bucket(bucket).key(key));
            String message = SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), bucket, key, head.contentLength(),
                    head.eTag(), null, nextSequencer(), Instant.now());
            sqs().sendMessage(b -> b.queueUrl(sqsQueueUrl).messageBody(message));
            return record(new SuiteEvent(id, phase, SuiteEvent.Kind.SKIP_ECHO, Direction.S3_TO_AZURE, key, head.contentLength(),
                    replicated.md5(), replicated.sourceReportsMd5(), replicated.sourceEtag(), message, "echo-of-replica", unquote(head.eTag())));
        }
        var properties = container.getBlobClient(key).getProperties();
        String event = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), containerName, key, properties.getETag(),
                properties.getBlobSize(), properties.getContentType(), nextSequencer(), workerBlobEndpoint, Instant.now());
        azureQueue.sendMessage(event);
        return record(new SuiteEvent(id, phase, SuiteEvent.Kind.SKIP_ECHO, Direction.AZURE_TO_S3, key, properties.getBlobSize(),
                replicated.md5(), replicated.sourceReportsMd5(), replicated.sourceEtag(), event, "echo-of-replica", unquote(properties.getETag())));
    }

    // ---------------------------------------------------------------- poison

    /**
     * Poison of every kind on both queues: text that is no event, events for a container and a bucket
     * no rule covers, and an Event Grid event whose data.url points at a foreign host.
     */
    List<SuiteEvent> poison(String phase) {
        List<SuiteEvent> events = new ArrayList<>();
        int id = ids.incrementAndGet();
        String garbage = "fault suite #" + id + ": this is not an event {";
        azureQueue.sendMessage(garbage);
        events.add(record(new SuiteEvent(id, phase, SuiteEvent.Kind.DEAD_LETTER, Direction.AZURE_TO_S3, null, 0, null, false, null,
                garbage, "unparseable", null)));

        id = ids.incrementAndGet();
        String sqsGarbage = "fault suite #" + id + ": <not an S3 notification/>";
        sqs().sendMessage(b -> b.queueUrl(sqsQueueUrl).messageBody(sqsGarbage));
        events.add(record(new SuiteEvent(id, phase, SuiteEvent.Kind.DEAD_LETTER, Direction.S3_TO_AZURE, null, 0, null, false, null,
                sqsGarbage, "unparseable", null)));

        id = ids.incrementAndGet();
        String uncoveredKey = "a2s/uncovered/" + id + ".bin";
        String uncoveredAzure = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), UNCOVERED, uncoveredKey,
                "\"0x8DCAFEBABE" + id + "\"", 10, CONTENT_TYPE, nextSequencer(), workerBlobEndpoint, Instant.now());
        azureQueue.sendMessage(uncoveredAzure);
        events.add(record(new SuiteEvent(id, phase, SuiteEvent.Kind.DEAD_LETTER, Direction.AZURE_TO_S3, uncoveredKey, 10, null,
                false, null, uncoveredAzure, "no-matching-rule", null)));

        id = ids.incrementAndGet();
        String uncoveredS3Key = "s2a/uncovered/" + id + ".bin";
        String uncoveredS3 = SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), UNCOVERED, uncoveredS3Key, 10,
                "\"d41d8cd98f00b204e9800998ecf8427e\"", null, nextSequencer(), Instant.now());
        sqs().sendMessage(b -> b.queueUrl(sqsQueueUrl).messageBody(uncoveredS3));
        events.add(record(new SuiteEvent(id, phase, SuiteEvent.Kind.DEAD_LETTER, Direction.S3_TO_AZURE, uncoveredS3Key, 10,
                null, false, null, uncoveredS3, "no-matching-rule", null)));

        id = ids.incrementAndGet();
        String foreignKey = "a2s/foreign/" + id + ".bin";
        String foreign = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), containerName, foreignKey,
                "\"0x8DCAFEF00D" + id + "\"", 10, CONTENT_TYPE, nextSequencer(),
                "http://skyferry-forged.invalid/" + emulators.azureAccount(), Instant.now());
        azureQueue.sendMessage(foreign);
        events.add(record(new SuiteEvent(id, phase, SuiteEvent.Kind.DEAD_LETTER, Direction.AZURE_TO_S3, foreignKey, 10, null,
                false, null, foreign, "foreign-url", null)));
        return events;
    }

    // ---------------------------------------------------------------- helpers

    private SuiteEvent record(SuiteEvent event) {
        ledger.add(event);
        return event;
    }

    private S3Client s3() {
        return emulators.s3Client();
    }

    private SqsClient sqs() {
        return emulators.sqsClient();
    }

    private synchronized byte[] bytes(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }

    private String nextSequencer() {
        return String.format("%016x", sequencer.incrementAndGet());
    }

    static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static String unquote(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }
}
