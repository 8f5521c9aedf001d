package dev.skyferry.app.bench;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.worker.Direction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Open-loop load: event {@code i} is due at {@code start + i / rate}, whether or not earlier events
 * have been replicated (or even sent — each runs on its own virtual thread). Directions alternate,
 * even indexes Azure→S3, odd S3→Azure. Each event first writes its source object (untimed), then
 * publishes the notification the cloud would: an Event Grid BlobCreated on the Azure queue, an S3
 * ObjectCreated:Put on SQS.
 */
final class LagLoad {

    static final String CONTENT_TYPE = "application/octet-stream";

    /**
     * One published event.
     *
     * @param dueAt      when the open-loop schedule wanted it
     * @param enqueuedAt the clock start: taken just before the queue send call (so lag never leaves out
     *                   the send itself)
     * @param sentAt     when the send call returned
     */
    record LagEvent(int index, Direction direction, String key, int bytes, String md5Base64, String sourceEtag,
                    Instant dueAt, Instant enqueuedAt, Instant sentAt) {}

    private final LagEnvironment env;
    private final String keyPrefix;
    private final int objectBytes;
    private final Random random = new Random(20);
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1_000);
    private final ConcurrentLinkedQueue<LagEvent> published = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    /** @param keyPrefix {@code lag} for the measured events, another for warm-up (the report ignores those) */
    LagLoad(LagEnvironment env, String keyPrefix, int objectBytes) {
        this.env = env;
        this.keyPrefix = keyPrefix;
        this.objectBytes = objectBytes;
    }

    /**
     * Publishes {@code rate × seconds} events on schedule; returns once all were sent.
     *
     * @param onPublished called on each event right after it is sent (e.g. to start watching its target)
     */
    List<LagEvent> run(int rate, int seconds, Consumer<LagEvent> onPublished) throws InterruptedException {
        int total = rate * seconds;
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        // Contents up front: random bytes cost CPU the schedule should not wait for.
        List<byte[]> contents = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            byte[] data = new byte[objectBytes];
            random.nextBytes(data);
            contents.add(data);
        }
        Instant startWall = Instant.now();
        long startNanos = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long dueNanos = startNanos + i * periodNanos;
                long wait = dueNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int index = i;
                Instant due = startWall.plusNanos(i * periodNanos);
                senders.submit(() -> {
                    try {
                        LagEvent event = index % 2 == 0 ? azureToS3(index, contents.get(index), due)
                                : s3ToAzure(index, contents.get(index), due);
                        published.add(event);
                        onPublished.accept(event);
                    } catch (RuntimeException e) {
                        failures.add("event " + index + ": " + e);
                    }
                });
            }
        }
        return published.stream().sorted(Comparator.comparingInt(LagEvent::index)).toList();
    }

    /** Events that could not even be published (the driver's failure, not the worker's). */
    List<String> failures() {
        return List.copyOf(failures);
    }

    private String key(Direction direction, int index) {
        return keyPrefix + "/" + (direction == Direction.AZURE_TO_S3 ? "a2s" : "s2a") + "/" + String.format("%05d", index) + ".bin";
    }

    private LagEvent azureToS3(int index, byte[] data, Instant due) {
        String key = key(Direction.AZURE_TO_S3, index);
        byte[] md5 = md5(data);
        // One Put Blob with Content-MD5, so the source reports its MD5 as the service does for Put Blob.
        String etag = env.container().getBlobClient(key).getBlockBlobClient().uploadWithResponse(
                new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                        .setHeaders(new BlobHttpHeaders().setContentType(CONTENT_TYPE).setContentMd5(md5)),
                null, Context.NONE).getValue().getETag();
        Instant enqueued = Instant.now();
        String message = SyntheticEvents.azureBlobCreated(env.emulators().azureAccount(), LagEnvironment.CONTAINER, key,
                etag, data.length, CONTENT_TYPE, nextSequencer(), env.emulators().blobEndpoint(), enqueued);
        env.azureQueue().sendMessage(message);
        return new LagEvent(index, Direction.AZURE_TO_S3, key, data.length, base64(md5), unquote(etag), due, enqueued,
                Instant.now());
    }

    private LagEvent s3ToAzure(int index, byte[] data, Instant due) {
        String key = key(Direction.S3_TO_AZURE, index);
        byte[] md5 = md5(data);
        // One PutObject, so the ETag is the MD5 (no multipart ETag).
        String etag = env.s3().putObject(b -> b.bucket(LagEnvironment.BUCKET).key(key).contentType(CONTENT_TYPE)
                .contentMD5(base64(md5)), RequestBody.fromBytes(data)).eTag();
        Instant enqueued = Instant.now();
        String message = SyntheticEvents.s3ObjectCreated(env.emulators().awsRegion(), LagEnvironment.BUCKET, key,
                data.length, "\"" + unquote(etag) + "\"", null, nextSequencer(), enqueued);
        env.sqs().sendMessage(b -> b.queueUrl(env.sqsQueueUrl()).messageBody(message));
        return new LagEvent(index, Direction.S3_TO_AZURE, key, data.length, base64(md5), unquote(etag), due, enqueued,
                Instant.now());
    }

    private String nextSequencer() {
        return String.format("%016x", sequencer.incrementAndGet());
    }

    static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
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
}
