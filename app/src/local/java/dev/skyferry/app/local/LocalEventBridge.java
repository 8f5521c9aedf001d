package dev.skyferry.app.local;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.queue.QueueClient;
import dev.skyferry.event.SyntheticEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Plays Event Grid and S3 notifications for the emulators, which have neither: every object that
 * appears or changes in the local container or bucket gets the event the real cloud would publish —
 * including the replicas Skyferry writes, whose echo events the worker must skip. New and changed
 * objects only; deletions are not announced (use a real cloud, or a replay, to exercise deletes).
 */
final class LocalEventBridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalEventBridge.class);
    private static final long POLL_MILLIS = 500;

    private final LocalEnvironment env;
    private final Map<String, String> announcedAzureEtags = new ConcurrentHashMap<>();
    private final Map<String, String> announcedS3Etags = new ConcurrentHashMap<>();
    /** Sequencers only need to grow per key; one counter seeded from the clock grows across runs too. */
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1_000);
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());

    LocalEventBridge(LocalEnvironment env) {
        this.env = env;
    }

    void start() {
        poller.scheduleWithFixedDelay(this::pollOnce, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Publishes the BlobCreated event for a blob just written, as Event Grid would. */
    void announceAzure(String blobName, String etag, long size, String contentType) {
        String unquoted = unquote(etag);
        if (unquoted.equals(announcedAzureEtags.put(blobName, unquoted))) {
            return;
        }
        String event = SyntheticEvents.azureBlobCreated(env.azureAccount(), env.container(), blobName, etag, size,
                contentType, nextSequencer(), env.blobEndpoint(), Instant.now());
        QueueClient queue = env.azureQueue();
        queue.sendMessage(event);
    }

    /** Publishes the ObjectCreated:Put notification for an object just written, as S3 would. */
    void announceS3(String key, String etag, long size) {
        String unquoted = unquote(etag);
        if (unquoted.equals(announcedS3Etags.put(key, unquoted))) {
            return;
        }
        String message = SyntheticEvents.s3ObjectCreated(env.awsRegion(), env.bucket(), key, size, "\"" + unquoted + "\"",
                null, nextSequencer(), Instant.now());
        SqsClient sqs = env.sqs();
        sqs.sendMessage(b -> b.queueUrl(env.sqsQueueUrl()).messageBody(message));
    }

    private void pollOnce() {
        try {
            BlobContainerClient container = env.blobContainer();
            for (BlobItem blob : container.listBlobs(new ListBlobsOptions(), null)) {
                announceAzure(blob.getName(), blob.getProperties().getETag(), blob.getProperties().getContentLength(),
                        blob.getProperties().getContentType());
            }
            S3Client s3 = env.s3();
            List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket(env.bucket())).contents().stream().toList();
            // Listed after the objects: a scratch object whose upload ended in between is deleted by then, and
            // the worker finds its source gone.
            Set<String> uploadsInProgress = s3.listMultipartUploadsPaginator(b -> b.bucket(env.bucket())).uploads()
                    .stream().map(MultipartUpload::uploadId).collect(Collectors.toSet());
            for (S3Object object : objects) {
                if (!isS3ProxyUploadScratch(object.key(), uploadsInProgress)) {
                    announceS3(object.key(), object.eTag(), object.size());
                }
            }
        } catch (RuntimeException e) {
            // The emulators may be stopping; the next poll tries again.
            log.debug("local event bridge poll failed: {}", e.toString());
        }
    }

    /**
     * S3Proxy's in-memory store keeps a multipart upload in progress (the worker's own replicas, or a user's
     * {@code aws s3 cp} of a large file) as ordinary objects, visible to a listing until the upload ends: its
     * parts and stub under {@code .mpus-<uploadId>-…}, and one named by the upload id. S3 never announces
     * them; announcing them would replicate junk into the container.
     */
    private static boolean isS3ProxyUploadScratch(String key, Set<String> uploadsInProgress) {
        return key.startsWith(".mpus-") || uploadsInProgress.contains(key);
    }

    private String nextSequencer() {
        return String.format("%016x", sequencer.incrementAndGet());
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
