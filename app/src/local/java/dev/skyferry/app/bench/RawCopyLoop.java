package dev.skyferry.app.bench;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The plainest SDK code that copies objects: GET then PUT, on a fixed pool of threads, in its own
 * process. No events, no planning, no verification beyond what the SDKs do — the floor of what
 * Skyferry's own work costs on top of the two requests. Large objects are read as a stream and
 * written in 16 MiB parts (S3 multipart, one part at a time; Azure blocks through the SDK's uploader,
 * 4 at a time).
 *
 * <p>Arguments: direction source target keysFile warmupKeysFile threads small|large, then {@link StoreEndpoints}.
 * Prints one line {@code RESULT <seconds> <cpuSeconds> <jitCpuSeconds>} for the timed keys (the warm-up keys, copied
 * first, let the JIT warm up as it has in a long-running worker).
 */
public final class RawCopyLoop {

    private RawCopyLoop() {}

    public static void main(String[] args) throws Exception {
        Direction direction = Direction.of(args[0]);
        String source = args[1];
        String target = args[2];
        List<String> keys = Files.readAllLines(Path.of(args[3]));
        List<String> warmup = Files.readAllLines(Path.of(args[4]));
        int threads = Integer.parseInt(args[5]);
        boolean large = args[6].equals("large");
        StoreEndpoints endpoints = StoreEndpoints.fromArgs(args, 7);
        BlobContainerClient azureSource = endpoints.blobService().getBlobContainerClient(source);
        BlobContainerClient azureTarget = endpoints.blobService().getBlobContainerClient(target);
        try (S3Client s3 = endpoints.s3(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            Copy copy = direction == Direction.AZURE_TO_S3
                    ? key -> azureToS3(azureSource, s3, target, key, large)
                    : key -> s3ToAzure(s3, source, azureTarget, key);
            copyAll(pool, copy, warmup);
            long pid = ProcessHandle.current().pid();
            ProcessCpu before = ProcessCpu.of(pid);
            long started = System.nanoTime();
            copyAll(pool, copy, keys);
            double seconds = (System.nanoTime() - started) / 1e9;
            ProcessCpu used = ProcessCpu.of(pid).minus(before);
            System.out.println("RESULT " + seconds + " " + used.seconds() + " " + used.jitSeconds());
        }
    }

    @FunctionalInterface
    private interface Copy {
        void run(String key) throws Exception;
    }

    private static void copyAll(ExecutorService pool, Copy copy, List<String> keys) throws Exception {
        List<Future<?>> copies = new ArrayList<>();
        for (String key : keys) {
            copies.add(pool.submit(() -> {
                copy.run(key);
                return null;
            }));
        }
        for (Future<?> each : copies) {
            each.get();
        }
    }

    private static void azureToS3(BlobContainerClient source, S3Client s3, String bucket, String key, boolean large)
            throws Exception {
        var blob = source.getBlobClient(key);
        if (!large) {
            byte[] content = blob.downloadContent().toBytes();
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        try (InputStream in = blob.openInputStream(new BlobInputStreamOptions().setBlockSize(BenchObjects.LARGE_PART))) {
            byte[] buffer = new byte[BenchObjects.LARGE_PART];
            for (int part = 1; ; part++) {
                int read = in.readNBytes(buffer, 0, buffer.length);
                if (read == 0) {
                    break;
                }
                int number = part;
                byte[] body = read == buffer.length ? buffer : Arrays.copyOf(buffer, read);
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(body)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    }

    private static void s3ToAzure(S3Client s3, String bucket, BlobContainerClient target, String key) throws Exception {
        try (var in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            long size = in.response().contentLength();
            var options = new BlobParallelUploadOptions(in, size).setParallelTransferOptions(
                    new ParallelTransferOptions().setBlockSizeLong((long) BenchObjects.LARGE_PART).setMaxConcurrency(4)
                            .setMaxSingleUploadSizeLong((long) BenchObjects.LARGE_PART));
            target.getBlobClient(key).uploadWithResponse(options, null, null);
        }
    }
}
