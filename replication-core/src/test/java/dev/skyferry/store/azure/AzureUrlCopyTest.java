package dev.skyferry.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Server-side copy into Azure from a URL. Azurite 3.35 implements neither Put Blob From URL nor Put
 * Block From URL (both throw NotImplementedError in its BlockBlobHandler, whatever the source), so
 * what runs here is the failure side the copier's {@code auto} mode depends on: 501 becomes
 * UNSUPPORTED, nothing becomes visible, and the SAS never reaches a message. A successful copy from
 * an S3 pre-signed URL is verified on real Azure only; how a copy stops on interrupt, against a local
 * stand-in that answers every request.
 */
@ExtendWith(EmulatorExtension.class)
class AzureUrlCopyTest {

    private static final String SIGNATURE_PARAM = "sig=";

    private final Emulators emulators;
    private BlobContainerClient sourceContainer;
    private AzureBlobStore target;

    AzureUrlCopyTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void containers() {
        StorageSharedKeyCredential key = new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey());
        sourceContainer = AzureBlobClients.container(emulators.blobEndpoint(), Emulators.freshName("src"), key);
        sourceContainer.create();
        BlobContainerClient targetContainer = AzureBlobClients.container(emulators.blobEndpoint(), Emulators.freshName("dst"), key);
        targetContainer.create();
        target = new AzureBlobStore(targetContainer, 2);
    }

    @Test
    void smallObjectViaPutBlobFromUrlIsUnsupportedOnAzuriteAndLeavesNothing() throws Exception {
        byte[] content = randomBytes(100);
        URL source = sasUrlOf(upload("small.bin", content));
        WriteSpec spec = specWithProvenance(content);

        assertThatThrownBy(() -> target.copyFromUrl("small-copy.bin", () -> source, content.length, 4096, spec, Precondition.IF_ABSENT))
                .isInstanceOfSatisfying(StoreException.class, e -> assertUnsupportedWithoutSignature(e));
        assertThat(target.stat("small-copy.bin")).isEmpty();
    }

    @Test
    void largeObjectViaPutBlockFromUrlIsUnsupportedOnAzuriteAndLeavesNothing() throws Exception {
        byte[] content = randomBytes(10_000);
        URL source = sasUrlOf(upload("big source.bin", content));
        WriteSpec spec = specWithProvenance(content);

        assertThatThrownBy(() -> target.copyFromUrl("copied/big.bin", () -> source, content.length, 4096, spec, Precondition.IF_ABSENT))
                .isInstanceOfSatisfying(StoreException.class, e -> assertUnsupportedWithoutSignature(e));
        assertThat(target.stat("copied/big.bin")).isEmpty();
        assertThat(target.list("", null, 10).objects()).isEmpty();
    }

    @Test
    void blockRangesCoverTheSourceExactlyWithAShorterLastBlock() {
        List<BlobRange> ranges = AzureBlobStore.sourceRanges(10_000, 4096);
        assertThat(ranges).extracting(BlobRange::getOffset).containsExactly(0L, 4096L, 8192L);
        assertThat(ranges).extracting(BlobRange::getCount).containsExactly(4096L, 4096L, 1808L);
        assertThat(AzureBlobStore.sourceRanges(8192, 4096)).extracting(BlobRange::getCount).containsExactly(4096L, 4096L);
        assertThat(AzureBlobStore.sourceRanges(0, 4096)).isEmpty();
    }

    @Test
    void tooManyBlocksIsRefusedBeforeAnyRequest() throws Exception {
        URL source = URI.create("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=secret").toURL();
        assertThatThrownBy(() -> target.copyFromUrl("huge.bin", () -> source, 50_001L * 1024, 1024,
                new WriteSpec(ObjectAttributes.NONE, 0, null, TargetOptions.DEFAULTS), Precondition.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50000");
    }

    @Test
    void anInterruptedCopyStagesNoMoreBlocksAndCommitsNothing() throws Exception {
        // Azurite cannot copy from a URL: a local server answers every request, each Put Block From URL in 200 ms.
        AtomicInteger blocksStaged = new AtomicInteger();
        AtomicInteger commits = new AtomicInteger();
        HttpServer azure = standInAzure(exchange -> {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            if (query.contains("comp=blocklist")) {
                commits.incrementAndGet();
            } else if (query.contains("comp=block")) {
                try {
                    Thread.sleep(200); // Azure fetches the range meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                blocksStaged.incrementAndGet();
            }
        });
        try {
            AzureBlobStore store = storeOn(azure);
            URL source = URI.create("https://bucket.s3.amazonaws.com/big.bin?X-Amz-Signature=x").toURL();
            WriteSpec spec = new WriteSpec(ObjectAttributes.NONE, 40 * 1024, null, TargetOptions.DEFAULTS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread copy = Thread.ofVirtual().start(() -> failure.set(catchThrowable(
                    () -> store.copyFromUrl("big.bin", () -> source, 40 * 1024, 1024, spec, Precondition.IF_ABSENT))));
            Thread.sleep(500); // 40 blocks, 2 at a time: 4 s to stage them all

            long interruptedAt = System.nanoTime();
            copy.interrupt();
            copy.join();

            assertThat(Duration.ofNanos(System.nanoTime() - interruptedAt)).isLessThan(Duration.ofSeconds(1));
            assertThat(failure.get()).isInstanceOf(StoreException.class).hasCauseInstanceOf(InterruptedException.class);
            assertThat(blocksStaged.get()).isLessThan(10);
            assertThat(commits.get()).isZero();
        } finally {
            azure.stop(0);
        }
    }

    @Test
    void everyPutBlockFromUrlCarriesAUrlSignedForItsOwnRequest() throws Exception {
        // A URL signed with STS credentials expires with them: one signed at the start of a long copy
        // would fail its last blocks.
        List<String> copySources = new CopyOnWriteArrayList<>();
        HttpServer azure = standInAzure(exchange -> {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            if (query.contains("comp=block") && !query.contains("comp=blocklist")) {
                copySources.add(exchange.getRequestHeaders().getFirst("x-ms-copy-source"));
            }
        });
        try {
            AtomicInteger signatures = new AtomicInteger();
            Supplier<URL> signedSource = () -> url("https://bucket.s3.amazonaws.com/big.bin?X-Amz-Signature="
                    + signatures.incrementAndGet());

            storeOn(azure).copyFromUrl("big.bin", signedSource, 3 * 1024, 1024,
                    new WriteSpec(ObjectAttributes.NONE, 3 * 1024, null, TargetOptions.DEFAULTS), Precondition.IF_ABSENT);

            assertThat(copySources).hasSize(3).doesNotHaveDuplicates()
                    .allMatch(url -> url.startsWith("https://bucket.s3.amazonaws.com/big.bin?X-Amz-Signature="));
        } finally {
            azure.stop(0);
        }
    }

    @Test
    void aBlockWhoseUrlCannotBeSignedFailsTheCopyWithWhatTheSigningThrew() throws Exception {
        HttpServer azure = standInAzure(exchange -> { });
        try {
            IllegalStateException sourceDown = new IllegalStateException("S3 is down");
            AtomicInteger signatures = new AtomicInteger();
            Supplier<URL> signedSource = () -> {
                if (signatures.incrementAndGet() > 2) {
                    throw sourceDown;
                }
                return url("https://bucket.s3.amazonaws.com/big.bin?X-Amz-Signature=" + signatures.get());
            };

            assertThatThrownBy(() -> storeOn(azure).copyFromUrl("big.bin", signedSource, 3 * 1024, 1024,
                    new WriteSpec(ObjectAttributes.NONE, 3 * 1024, null, TargetOptions.DEFAULTS), Precondition.IF_ABSENT))
                    .as("the source's failure, not translated into Azure's").isSameAs(sourceDown);
        } finally {
            azure.stop(0);
        }
    }

    /** Answers every request with 201 and Azure's headers, after {@code onRequest} has seen it. */
    private static HttpServer standInAzure(Consumer<HttpExchange> onRequest) throws IOException {
        HttpServer azure = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        azure.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        azure.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            onRequest.accept(exchange);
            exchange.getResponseHeaders().add("ETag", "\"0x8DC000000000001\"");
            exchange.getResponseHeaders().add("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
            exchange.getResponseHeaders().add("x-ms-request-id", "1");
            exchange.getResponseHeaders().add("x-ms-version", "2021-12-02");
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        azure.start();
        return azure;
    }

    private static URL url(String url) {
        try {
            return URI.create(url).toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static AzureBlobStore storeOn(HttpServer azure) {
        StorageSharedKeyCredential key = new StorageSharedKeyCredential("devstoreaccount1",
                Base64.getEncoder().encodeToString(new byte[64]));
        return new AzureBlobStore(AzureBlobClients.container(
                "http://127.0.0.1:" + azure.getAddress().getPort() + "/devstoreaccount1", "photos", key), 2);
    }

    /** Azurite 3.35 answers both Put Blob From URL and Put Block From URL with 501 APINotImplemented. */
    private static void assertUnsupportedWithoutSignature(StoreException failure) {
        assertThat(failure.kind()).isEqualTo(Kind.UNSUPPORTED);
        assertThat(failure.httpStatus()).isEqualTo(501);
        assertThat(failure.getMessage()).contains("?<redacted>");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SIGNATURE_PARAM);
        }
    }

    private static WriteSpec specWithProvenance(byte[] content) throws Exception {
        ObjectAttributes attributes = new ObjectAttributes("application/pdf", null, "de", "attachment", "max-age=5",
                Map.of("skyferry_replica", "1"), Map.of("origin", "s3"));
        return new WriteSpec(attributes, content.length, md5(content), TargetOptions.DEFAULTS);
    }

    private BlobClient upload(String name, byte[] content) {
        BlobClient blob = sourceContainer.getBlobClient(name);
        blob.upload(BinaryData.fromBytes(content));
        return blob;
    }

    private static URL sasUrlOf(BlobClient blob) throws IOException {
        String sas = blob.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobSasPermission().setReadPermission(true)));
        return URI.create(blob.getBlobUrl() + "?" + sas).toURL();
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] md5(byte[] content) throws Exception {
        return MessageDigest.getInstance("MD5").digest(content);
    }
}
