package dev.skyferry.app.bench;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Writes the source objects before a pass (untimed) and checks afterwards (untimed) that a tool's
 * target holds every one of them with the right size, spot-checking content by MD5.
 */
final class BenchObjects {

    /** Part and block size for writing the large source objects. */
    static final int LARGE_PART = 16 * 1024 * 1024;
    private static final int SEED_THREADS = 16;
    private static final int MD5_SPOT_CHECKS = 10;

    private final BlobServiceClient blobs;
    private final S3Client s3;

    BenchObjects(BlobServiceClient blobs, S3Client s3) {
        this.blobs = blobs;
        this.s3 = s3;
    }

    static List<String> keys(String prefix, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(String.format("%s/obj-%05d", prefix, i));
        }
        return keys;
    }

    /** Writes one random object per key into the source side of the direction; returns key → ETag. */
    Map<String, String> seed(Direction direction, String containerOrBucket, List<String> keys, int size) throws Exception {
        Map<String, String> etags = new ConcurrentHashMap<>();
        BlobContainerClient container = blobs.getBlobContainerClient(containerOrBucket);
        try (ExecutorService pool = Executors.newFixedThreadPool(SEED_THREADS)) {
            List<Future<?>> writes = new ArrayList<>();
            for (String key : keys) {
                writes.add(pool.submit(() -> {
                    byte[] content = randomBytes(key.hashCode(), size);
                    String etag = direction == Direction.AZURE_TO_S3
                            ? container.getBlobClient(key).getBlockBlobClient()
                                    .upload(BinaryData.fromBytes(content), true).getETag()
                            : s3.putObject(b -> b.bucket(containerOrBucket).key(key), RequestBody.fromBytes(content)).eTag();
                    etags.put(key, etag);
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        }
        return etags;
    }

    /** Writes one large pseudo-random object, streamed in parts, into the source side; returns its ETag. */
    String seedLarge(Direction direction, String containerOrBucket, String key, long size) {
        if (direction == Direction.AZURE_TO_S3) {
            var options = new BlobParallelUploadOptions(new PseudoRandomStream(size), size)
                    .setParallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong((long) LARGE_PART)
                            .setMaxConcurrency(4))
                    .setRequestConditions(new BlobRequestConditions());
            return blobs.getBlobContainerClient(containerOrBucket).getBlobClient(key)
                    .uploadWithResponse(options, null, null).getValue().getETag();
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(containerOrBucket).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        try (InputStream in = new PseudoRandomStream(size)) {
            byte[] buffer = new byte[LARGE_PART];
            for (int part = 1; ; part++) {
                int read = in.readNBytes(buffer, 0, buffer.length);
                if (read == 0) {
                    break;
                }
                int number = part;
                String etag = s3.uploadPart(b -> b.bucket(containerOrBucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(read == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, read))).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return s3.completeMultipartUpload(b -> b.bucket(containerOrBucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))).eTag();
    }

    /**
     * Every key under the prefix in the target (the other side of the direction) with the expected size,
     * and a few with the source's MD5.
     *
     * @return a problem, or null when the replicas are all there
     */
    String verify(Direction direction, String sourceName, String targetName, List<String> keys, long size) {
        Map<String, Long> found = listSizes(direction == Direction.AZURE_TO_S3 ? Side.S3 : Side.AZURE, targetName,
                commonPrefix(keys));
        int missing = 0;
        int wrongSize = 0;
        for (String key : keys) {
            Long actual = found.get(key);
            if (actual == null) {
                missing++;
            } else if (actual != size) {
                wrongSize++;
            }
        }
        if (missing > 0 || wrongSize > 0) {
            return missing + " replicas missing, " + wrongSize + " with the wrong size, of " + keys.size();
        }
        if (size <= LARGE_PART) {
            SplittableRandom pick = new SplittableRandom(keys.size());
            for (int i = 0; i < Math.min(MD5_SPOT_CHECKS, keys.size()); i++) {
                String key = keys.get(pick.nextInt(keys.size()));
                Side source = direction == Direction.AZURE_TO_S3 ? Side.AZURE : Side.S3;
                Side target = source == Side.AZURE ? Side.S3 : Side.AZURE;
                if (!md5(read(source, sourceName, key)).equals(md5(read(target, targetName, key)))) {
                    return key + ": the replica's MD5 differs from the source's";
                }
            }
        }
        return null;
    }

    /** Deletes the replicas a pass wrote (large objects: to keep the disk free). */
    void delete(Side side, String containerOrBucket, String key) {
        if (side == Side.AZURE) {
            blobs.getBlobContainerClient(containerOrBucket).getBlobClient(key).deleteIfExists();
        } else {
            s3.deleteObject(b -> b.bucket(containerOrBucket).key(key));
        }
    }

    enum Side { AZURE, S3 }

    Map<String, Long> listSizes(Side side, String containerOrBucket, String prefix) {
        Map<String, Long> sizes = new HashMap<>();
        if (side == Side.AZURE) {
            for (BlobItem item : blobs.getBlobContainerClient(containerOrBucket)
                    .listBlobs(new ListBlobsOptions().setPrefix(prefix), null)) {
                sizes.put(item.getName(), item.getProperties().getContentLength());
            }
        } else {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(containerOrBucket).prefix(prefix)).contents()) {
                sizes.put(object.key(), object.size());
            }
        }
        return sizes;
    }

    String etag(Side side, String containerOrBucket, String key) {
        return side == Side.AZURE
                ? blobs.getBlobContainerClient(containerOrBucket).getBlobClient(key).getProperties().getETag()
                : s3.headObject(b -> b.bucket(containerOrBucket).key(key)).eTag();
    }

    private byte[] read(Side side, String containerOrBucket, String key) {
        return side == Side.AZURE
                ? blobs.getBlobContainerClient(containerOrBucket).getBlobClient(key).downloadContent().toBytes()
                : s3.getObjectAsBytes(b -> b.bucket(containerOrBucket).key(key)).asByteArray();
    }

    private static String commonPrefix(List<String> keys) {
        String first = keys.getFirst();
        return first.substring(0, first.indexOf('/') + 1);
    }

    static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pseudo-random bytes of a given length, generated as read (a 2 GiB object never sits in memory). */
    static final class PseudoRandomStream extends InputStream {
        private final SplittableRandom random = new SplittableRandom(2024);
        private final byte[] chunk = new byte[64 * 1024];
        private long remaining;
        private int chunkPosition = chunk.length;

        PseudoRandomStream(long length) {
            this.remaining = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            if (chunkPosition == chunk.length) {
                random.nextBytes(chunk);
                chunkPosition = 0;
            }
            int n = (int) Math.min(Math.min(length, chunk.length - chunkPosition), remaining);
            System.arraycopy(chunk, chunkPosition, target, offset, n);
            chunkPosition += n;
            remaining -= n;
            return n;
        }
    }
}
