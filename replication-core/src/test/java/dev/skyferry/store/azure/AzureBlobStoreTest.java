package dev.skyferry.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.ListPage;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.ObjectStoreContract;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.fault.FaultProxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmulatorExtension.class)
class AzureBlobStoreTest extends ObjectStoreContract {

    private final Emulators emulators;
    private BlobContainerClient container;

    AzureBlobStoreTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @Override
    protected ObjectStore newStore() {
        container = containerClient(emulators.blobEndpoint(), Emulators.freshName("contract"));
        container.create();
        return new AzureBlobStore(container);
    }

    @Override
    protected ObjectStore storeOnMissingContainer() {
        return new AzureBlobStore(containerClient(emulators.blobEndpoint(), Emulators.freshName("missing")));
    }

    @Override
    protected int minPartSize() {
        return 64 * 1024;
    }

    private BlobContainerClient containerClient(String endpoint, String name) {
        return AzureBlobClients.container(endpoint, name,
                new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey()));
    }

    @Test
    void describesItselfAsTheAccountsContainer() {
        assertThat(store.kind()).isEqualTo(StoreKind.AZURE_BLOB);
        assertThat(store.account()).isEqualTo(emulators.azureAccount());
        assertThat(store.container()).isEqualTo(container.getBlobContainerName());
        assertThat(store.uriOf("dir/a b+c.txt").toString())
                .isEqualTo(emulators.blobEndpoint() + "/" + container.getBlobContainerName() + "/dir/a%20b%2Bc.txt");
    }

    @Test
    void writesCarryTheRulesAccessTierOnPutAndCommit() {
        byte[] content = randomBytes(100, 40);
        WriteSpec cool = new WriteSpec(ObjectAttributes.NONE, content.length, md5(content),
                new TargetOptions(null, null, null, "Cool", null));

        store.put("cool.bin", ByteBuffer.wrap(content), cool, Precondition.NONE);
        MultipartWrite write = store.startMultipart("cool-multi.bin", cool, Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(content), md5(content));
        write.complete();

        assertThat(container.getBlobClient("cool.bin").getProperties().getAccessTier()).isEqualTo(AccessTier.COOL);
        assertThat(container.getBlobClient("cool-multi.bin").getProperties().getAccessTier()).isEqualTo(AccessTier.COOL);
    }

    @Test
    void committedBlobStoresTheWholeObjectMd5TheCopierKnows() {
        byte[] part1 = randomBytes(minPartSize(), 41);
        byte[] part2 = randomBytes(10, 42);
        byte[] whole = ByteBuffer.allocate(part1.length + part2.length).put(part1).put(part2).array();
        MultipartWrite write = store.startMultipart("md5.bin",
                new WriteSpec(ObjectAttributes.NONE, whole.length, md5(whole), TargetOptions.DEFAULTS), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(part1), md5(part1));
        write.uploadPart(2, ByteBuffer.wrap(part2), md5(part2));

        assertThat(write.complete().serviceMd5()).as("Put Block List's Content-MD5 is the list's, not the blob's").isNull();
        assertThat(store.stat("md5.bin").orElseThrow().contentMd5()).isEqualTo(md5(whole));
    }

    @Test
    void aBlockListGoesWithTheMd5OfTheListTheServiceReceivedWhateverBuiltTheClient() {
        // Azurite does not check a Put Block List's Content-MD5, but it answers with the MD5 of the body
        // it received: the header sent must equal it, and the Shared Key signature must cover it.
        List<String[]> commits = new CopyOnWriteArrayList<>();
        HttpPipelinePolicy recordCommits = (context, next) -> next.process().doOnNext(response -> {
            HttpRequest request = context.getHttpRequest();
            if ("comp=blocklist".equals(request.getUrl().getQuery())) {
                commits.add(new String[] {request.getHeaders().getValue(HttpHeaderName.CONTENT_MD5),
                        response.getHeaderValue(HttpHeaderName.CONTENT_MD5)});
            }
        });
        BlobContainerClient plainClient = new BlobContainerClientBuilder()
                .endpoint(emulators.blobEndpoint())
                .containerName(container.getBlobContainerName())
                .credential(new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey()))
                .addPolicy(recordCommits)
                .buildClient();
        ObjectStore plainStore = new AzureBlobStore(plainClient);
        byte[] part1 = randomBytes(minPartSize(), 43);
        byte[] part2 = randomBytes(10, 44);
        MultipartWrite write = plainStore.startMultipart("listed.bin",
                new WriteSpec(ObjectAttributes.NONE, part1.length + part2.length, null, TargetOptions.DEFAULTS), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(part1), md5(part1));
        write.uploadPart(2, ByteBuffer.wrap(part2), md5(part2));
        write.complete();

        assertThat(commits).hasSize(1);
        assertThat(commits.getFirst()[0]).as("Content-MD5 sent with the list").isNotNull().isEqualTo(commits.getFirst()[1]);
        assertThat(plainStore.stat("listed.bin").orElseThrow().size()).isEqualTo(part1.length + part2.length);
    }

    @Test
    void rangedReadReportsTheWholeBlobMd5() {
        byte[] content = randomBytes(5000, 43);
        store.put("whole-md5.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        try (OpenObject open = store.open("whole-md5.bin", new ObjectStore.ByteRange(10, 20), Precondition.NONE)) {
            assertThat(open.info().contentMd5()).isEqualTo(md5(content));
        }
    }

    @Test
    void aWriterWhoseBlocksWereDiscardedByAnotherCommitGetsConflict() {
        byte[] mine = randomBytes(100, 45);
        byte[] theirs = randomBytes(200, 46);
        MultipartWrite loser = store.startMultipart("raced.bin", spec(ObjectAttributes.NONE, mine), Precondition.NONE);
        MultipartWrite winner = store.startMultipart("raced.bin", spec(ObjectAttributes.NONE, theirs), Precondition.NONE);
        loser.uploadPart(1, ByteBuffer.wrap(mine), md5(mine));
        winner.uploadPart(1, ByteBuffer.wrap(theirs), md5(theirs));

        winner.complete();

        assertThatThrownBy(loser::complete)
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
                    assertThat(e.errorCode()).isEqualTo("InvalidBlockList");
                });
        assertThat(store.stat("raced.bin").orElseThrow().size()).isEqualTo(theirs.length);
    }

    @Test
    void blockIdsHaveOneLengthWhateverTheUploadAndPart() {
        String first = AzureBlobStore.blockId(AzureBlobStore.newUploadId(), 1);
        String last = AzureBlobStore.blockId(AzureBlobStore.newUploadId(), AzureBlobStore.MAX_BLOCKS);
        assertThat(first).hasSameSizeAs(last);
        assertThat(Base64.getDecoder().decode(first)).hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void blockIdsOfOneUploadStayDistinctUnderADefaultLocaleWithOtherDigits() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("fa-IR")); // a worker started with LANG=fa_IR.UTF-8
            String uploadId = AzureBlobStore.newUploadId();
            assertThat(AzureBlobStore.blockId(uploadId, 1)).isNotEqualTo(AzureBlobStore.blockId(uploadId, 2));
            assertThat(new String(Base64.getDecoder().decode(AzureBlobStore.blockId(uploadId, 12))))
                    .isEqualTo("sf-" + uploadId + "-00012");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void writeAfterAbortIsRefused() {
        byte[] part = randomBytes(10, 44);
        MultipartWrite write = store.startMultipart("refused.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
        write.abort();
        assertThatThrownBy(() -> write.uploadPart(1, ByteBuffer.wrap(part), md5(part))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(write::complete).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void throttlingIsReportedWithTheServiceCodeAndRetryAfter() {
        try (FaultProxy proxy = FaultProxy.inFrontOf(URI.create(emulators.blobEndpoint()))) {
            AzureBlobStore proxied = new AzureBlobStore(containerClient(
                    proxy.proxiedUri(URI.create(emulators.blobEndpoint())).toString(), container.getBlobContainerName()));
            proxy.failNextRequests(1, FaultProxy.CannedResponse.azureServerBusy());

            assertThatThrownBy(() -> proxied.stat("any.bin"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
                        assertThat(e.httpStatus()).isEqualTo(503);
                        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    });
            assertThat(proxied.stat("any.bin")).as("the next call goes through").isEmpty();
        }
    }

    @Test
    void brokenConnectionsAreUnavailable() {
        try (FaultProxy proxy = FaultProxy.inFrontOf(URI.create(emulators.blobEndpoint()))) {
            AzureBlobStore proxied = new AzureBlobStore(containerClient(
                    proxy.proxiedUri(URI.create(emulators.blobEndpoint())).toString(), container.getBlobContainerName()));
            proxy.resetConnections(true);

            assertThatThrownBy(() -> proxied.stat("any.bin"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                        assertThat(e.httpStatus()).isZero();
                    });
        }
    }

    @Test
    void aConnectionCutMidReadFailsTheReadInsteadOfEndingItEarly() throws Exception {
        byte[] content = randomBytes(16 * 1024 * 1024, 48);
        store.put("long.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        try (FaultProxy proxy = FaultProxy.inFrontOf(URI.create(emulators.blobEndpoint()))) {
            AzureBlobStore proxied = new AzureBlobStore(containerClient(
                    proxy.proxiedUri(URI.create(emulators.blobEndpoint())).toString(), container.getBlobContainerName()));
            try (OpenObject open = proxied.open("long.bin", null, Precondition.NONE)) {
                byte[] head = open.content().readNBytes(1024 * 1024);
                assertThat(head).isEqualTo(java.util.Arrays.copyOf(content, head.length));
                proxy.resetConnections(true);

                // A short, clean end of stream would be a silently truncated replica.
                assertThatThrownBy(() -> open.content().readAllBytes())
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            }
        }
    }

    @Test
    void wrongAccountKeyIsForbidden() {
        BlobContainerClient wrongKey = AzureBlobClients.container(emulators.blobEndpoint(), container.getBlobContainerName(),
                new StorageSharedKeyCredential(emulators.azureAccount(), Base64.getEncoder().encodeToString(new byte[64])));
        assertThatThrownBy(() -> new AzureBlobStore(wrongKey).stat("any.bin"))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN));
    }

    @Test
    void endpointsWithASasAreRefusedSoTheSecretCannotLeakIntoUris() {
        assertThatThrownBy(() -> AzureBlobClients.container("https://a.blob.core.windows.net?sig=x", "c",
                new StorageSharedKeyCredential("a", Base64.getEncoder().encodeToString(new byte[8]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("sig=x");
    }

    @Test
    void listingsLeaveOutTheDirectoriesOfAHierarchicalNamespace() {
        // How a flat listing of an HNS account shows the directory "reports": a 0-byte blob marked hdi_isfolder.
        byte[] none = new byte[0];
        store.put("reports", ByteBuffer.wrap(none), spec(ObjectAttributes.NONE.withUserMetadata(
                Map.of(ObjectInfo.HNS_DIRECTORY_METADATA, "true")), none), Precondition.NONE);
        byte[] file = {1};
        store.put("reports/2024.csv", ByteBuffer.wrap(file), spec(ObjectAttributes.NONE, file), Precondition.NONE);
        store.put("empty.txt", ByteBuffer.wrap(none), spec(ObjectAttributes.NONE, none), Precondition.NONE);

        List<String> listed = new ArrayList<>();
        String continuation = null;
        do { // one object per page: the directory's page is empty yet continues
            ListPage page = store.list("", continuation, 1);
            page.objects().forEach(info -> listed.add(info.key()));
            continuation = page.continuation();
        } while (continuation != null);

        assertThat(listed).containsExactly("empty.txt", "reports/2024.csv");
    }

    @Test
    void metadataTravelsAsRawHeadersThroughTheClientsPipeline() {
        // Put Blob From URL gets its metadata this way (its SDK options have no metadata field); Azurite
        // cannot run that operation, so the mechanism is checked on a plain Put Blob of the same client.
        var blob = container.getBlobClient("raw-meta.bin").getBlockBlobClient();
        blob.uploadWithResponse(new com.azure.storage.blob.options.BlockBlobSimpleUploadOptions(
                com.azure.core.util.BinaryData.fromBytes(new byte[] {1})), null,
                AzureBlobStore.metadataHeaders(Map.of("skyferry_replica", "1", "skyferry_source", "s3://b/k")));

        assertThat(store.stat("raw-meta.bin").orElseThrow().attributes().userMetadata())
                .containsExactlyInAnyOrderEntriesOf(Map.of("skyferry_replica", "1", "skyferry_source", "s3://b/k"));
    }
}
