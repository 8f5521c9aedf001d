package dev.skyferry.app.local;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code --seed N}: writes N objects on each side (sizes from empty to multi-part, names with spaces,
 * plus signs and non-ASCII), announces each exactly as the cloud would, and waits until each replica
 * exists with matching size, source ETag and source MD5 in its provenance.
 */
final class SeedRun {

    /** Sizes cycled through: empty, one byte, small, one whole part, several parts. */
    private static final long[] SIZES = {16 << 10, 0, 1, 64 << 10, 1 << 20, 16 << 10, 8 << 20, 4 << 10, 20 << 20, 256 << 10};
    private static final String[] NAMES = {"report.csv", "empty.txt", "one byte.bin", "photo ünïcode.jpg", "a+b=c.json",
            "dir/nested/item.dat", "exactly one part.bin", "notes 100%.txt", "multi-part.bin", "trailing-slash/"};

    private final LocalEnvironment env;
    private final int count;
    private final Random random = new Random(20);

    SeedRun(LocalEnvironment env, int count) {
        this.env = env;
        this.count = count;
    }

    record Item(String key, String direction, long bytes, String sourceEtag, String md5Base64, long writtenAtNanos) {}

    record Row(Item item, Duration latency, String outcome) {}

    record Summary(List<Row> rows) {
        boolean allReplicated() {
            return rows.stream().allMatch(r -> r.outcome().equals("replicated"));
        }

        void print(PrintStream out) {
            out.printf("%n%-48s %-12s %10s %10s  %s%n", "object", "direction", "bytes", "latency", "outcome");
            for (Row row : rows) {
                out.printf("%-48s %-12s %10d %10s  %s%n", row.item().key(), row.item().direction(), row.item().bytes(),
                        row.latency() == null ? "-" : row.latency().toMillis() + " ms", row.outcome());
            }
            long ok = rows.stream().filter(r -> r.outcome().equals("replicated")).count();
            out.printf("%n%d of %d objects replicated and verified.%n", ok, rows.size());
            out.flush();
        }
    }

    Summary run(Duration timeout) throws InterruptedException {
        List<Item> written = new CopyOnWriteArrayList<>();
        Map<Item, Row> verified = new ConcurrentHashMap<>();
        // Watch for replicas while seeding, so each latency runs from its own write, not the last one.
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (Item item : written) {
                    if (!verified.containsKey(item) && replicaVerified(item)) {
                        verified.put(item, new Row(item, Duration.ofNanos(System.nanoTime() - item.writtenAtNanos()), "replicated"));
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        for (int i = 0; i < count; i++) {
            written.add(writeAzure(i));
            written.add(writeS3(i));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (verified.size() < written.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        watcher.interrupt();
        watcher.join();
        List<Row> rows = new ArrayList<>();
        for (Item item : written) {
            rows.add(verified.getOrDefault(item, new Row(item, null,
                    "NOT replicated within " + timeout.toSeconds() + " s (see the poison queue / DLQ and the worker log)")));
        }
        return new Summary(rows);
    }

    private byte[] content(int i) {
        byte[] data = new byte[(int) SIZES[i % SIZES.length]];
        random.nextBytes(data);
        return data;
    }

    private static String key(String side, int i) {
        return "seed/from-" + side + "/" + i + "-" + NAMES[i % NAMES.length];
    }

    private Item writeAzure(int i) {
        byte[] data = content(i);
        String key = key("azure", i);
        BlobClient blob = env.blobContainer().getBlobClient(key);
        var response = blob.uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(data))
                .setHeaders(new BlobHttpHeaders().setContentType("application/octet-stream"))
                .setMetadata(Map.of("origin", "skyferry_local_seed")), null, null);
        long written = System.nanoTime();
        String etag = response.getValue().getETag();
        env.bridge().announceAzure(key, etag, data.length, "application/octet-stream");
        return new Item(key, "azure-to-s3", data.length, etag.replace("\"", ""), md5(data), written);
    }

    private Item writeS3(int i) {
        byte[] data = content(i);
        String key = key("s3", i);
        var response = env.s3().putObject(b -> b.bucket(env.bucket()).key(key).contentType("application/octet-stream")
                .metadata(Map.of("origin", "skyferry-local-seed")), RequestBody.fromBytes(data));
        long written = System.nanoTime();
        env.bridge().announceS3(key, response.eTag(), data.length);
        return new Item(key, "s3-to-azure", data.length, response.eTag().replace("\"", ""), md5(data), written);
    }

    /** Both sides use the same keys (the local rule maps the container root to the bucket root). */
    private boolean replicaVerified(Item item) {
        return item.direction().equals("azure-to-s3")
                ? ReplicaProvenance.inS3(env.s3(), env.bucket(), item.key(), item.bytes(), item.sourceEtag(), item.md5Base64())
                : ReplicaProvenance.inAzure(env.blobContainer(), item.key(), item.bytes(), item.sourceEtag(), item.md5Base64());
    }

    private static String md5(byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
