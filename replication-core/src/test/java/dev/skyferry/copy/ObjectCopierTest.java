package dev.skyferry.copy;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.rule;
import static dev.skyferry.plan.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.plan.Plan;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.testkit.InMemoryStore;
import dev.skyferry.testkit.InMemoryStore.Op;
import dev.skyferry.verify.Checksums;
import dev.skyferry.verify.WrittenReplica;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectCopierTest {

    private static final int PART = 1024;
    private static final Plan.Copy IF_ABSENT = new Plan.Copy(Precondition.IF_ABSENT);

    private final InMemoryStore s3 = InMemoryStore.s3("photos-backup");
    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");
    private final ReplicationRule rule = rule().build();
    private final BufferBudget budget = new BufferBudget(8 * PART, PART);
    private final List<String> fallbacks = new CopyOnWriteArrayList<>();

    private ObjectCopier copier(S3ToAzureMode mode) {
        return new ObjectCopier(new CopySettings(PART, 3, 2, 8 * PART, mode), budget, fallbacks::add);
    }

    private final ObjectCopier copier = copier(S3ToAzureMode.AUTO);

    @Test
    void copiesAnObjectOfExactlyOnePartInOnePutWithItsMd5() throws Exception {
        byte[] content = bytes(PART);
        ObjectInfo info = azure.seed("a.bin", content);

        CopyResult result = copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);

        assertThat(result).isInstanceOf(CopyResult.Copied.class);
        CopyResult.Copied copied = (CopyResult.Copied) result;
        assertThat(copied.action()).isEqualTo("streamed");
        assertThat(copied.bytes()).isEqualTo(PART);
        assertThat(copied.replica().method()).isEqualTo(WrittenReplica.Method.SINGLE_PUT);
        assertThat(s3.contentOf("a.bin")).isEqualTo(content);
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.PUT, 1));
        assertThat(s3.infoOf("a.bin").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_MD5, Checksums.base64(Checksums.md5(ByteBuffer.wrap(content))));
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void copiesEmptyAndOneByteObjects() throws Exception {
        ObjectInfo empty = azure.seed("empty", new byte[0]);
        ObjectInfo one = azure.seed("one", new byte[]{42});

        copier.copy(task(created(azure, empty, "01"), rule, azure, s3), IF_ABSENT);
        copier.copy(task(created(azure, one, "02"), rule, azure, s3), IF_ABSENT);

        assertThat(s3.contentOf("empty")).isEmpty();
        assertThat(s3.contentOf("one")).containsExactly(42);
    }

    @Test
    void uploadsLargerObjectsInPartsInParallelAndCommitsThemInOrder() throws Exception {
        byte[] content = bytes(10 * PART + 17);
        ObjectInfo info = azure.seed("big.bin", content);

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);

        assertThat(s3.contentOf("big.bin")).isEqualTo(content);
        assertThat(s3.requests(Op.START_MULTIPART)).isEqualTo(1);
        assertThat(s3.requests(Op.UPLOAD_PART)).isEqualTo(11);
        assertThat(s3.requests(Op.COMPLETE)).isEqualTo(1);
        assertThat(s3.maxConcurrentPartUploads()).isLessThanOrEqualTo(3);
        assertThat(copied.replica().method()).isEqualTo(WrittenReplica.Method.MULTIPART);
        assertThat(copied.replica().partMd5s()).hasSize(11);
        assertThat(s3.partsReceivedWithMd5()).isEqualTo(11);
        assertThat(copied.replica().result().etag()).isEqualTo(Checksums.s3MultipartEtag(partMd5s(content, PART)));
        // The Azure source reported its MD5, so it travels as provenance on the multipart replica too.
        assertThat(s3.infoOf("big.bin").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_MD5, Checksums.base64(info.contentMd5()));
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void hashesNoPartsForATargetThatChecksThemWithoutMd5s() throws Exception {
        s3.checkingPartsWithoutMd5();
        byte[] content = bytes(10 * PART + 17);
        ObjectInfo info = azure.seed("big.bin", content);

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);

        assertThat(s3.contentOf("big.bin")).isEqualTo(content);
        assertThat(s3.requests(Op.UPLOAD_PART)).isEqualTo(11);
        assertThat(s3.partsReceivedWithMd5()).isZero();
        assertThat(copied.replica().partCount()).isEqualTo(11);
        assertThat(copied.replica().partMd5s()).isEmpty();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void readsTheNextPartWhileThePartsInFlightUpload() throws Exception {
        byte[] content = bytes(8 * PART);
        ObjectInfo info = azure.seed("big.bin", content);
        CountDownLatch gate = s3.holdPartUploads();
        try (ExecutorService copies = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<CopyResult> copy = copies.submit(
                    () -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT));

            // 3 parts in flight (held), and the 4th already read into a buffer of its own, waiting for a slot.
            await().until(() -> s3.requests(Op.UPLOAD_PART) == 3 && budget.inUse() == 4 * PART);
            Thread.sleep(50);
            assertThat(budget.inUse()).isEqualTo(4 * PART);
            assertThat(s3.requests(Op.UPLOAD_PART)).isEqualTo(3);
            gate.countDown();

            assertThat(copy.get()).isInstanceOf(CopyResult.Copied.class);
        }
        assertThat(s3.contentOf("big.bin")).isEqualTo(content);
        assertThat(s3.maxConcurrentPartUploads()).isLessThanOrEqualTo(3);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void readsAPartedSourceWithoutAWholeMd5FromBothEndsAtOnce() throws Exception {
        byte[] content = bytes(10 * PART);
        ObjectInfo info = azure.seedMultipart("big.bin", content, 4 * PART, ObjectAttributes.NONE);
        CountDownLatch gate = s3.holdPartUploads();
        try (ExecutorService copies = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<CopyResult> copy = copies.submit(
                    () -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT));

            try {
                // 3 parts in flight (held), and one more read by each of the two GETs, waiting for a slot.
                await().until(() -> s3.requests(Op.UPLOAD_PART) == 3 && budget.inUse() == 5 * PART);
                Thread.sleep(50);
                assertThat(budget.inUse()).isEqualTo(5 * PART);
                assertThat(azure.requests(Op.OPEN)).isGreaterThanOrEqualTo(2);
            } finally {
                gate.countDown();
            }

            assertThat(copy.get()).isInstanceOf(CopyResult.Copied.class);
        }
        assertThat(s3.contentOf("big.bin")).isEqualTo(content);
        assertThat(s3.requests(Op.UPLOAD_PART)).isEqualTo(10);
        assertThat(s3.partsReceivedWithMd5()).isEqualTo(10);
        // The whole GET read some parts from the front, one ranged GET each of the others from the back.
        assertThat(azure.requests(Op.OPEN)).isBetween(2, 10);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void readsAnObjectWhoseMd5IsCheckedInOneGetInOrder() throws Exception {
        byte[] content = bytes(10 * PART + 17);
        ObjectInfo info = azure.seed("big.bin", content);

        copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);

        assertThat(s3.contentOf("big.bin")).isEqualTo(content);
        assertThat(azure.requests(Op.OPEN)).isEqualTo(1);
    }

    @Test
    void endsAsSupersededWhenTheSourceIsReplacedWhileItsPartsAreRead() throws Exception {
        ObjectInfo info = azure.seedMultipart("big.bin", bytes(10 * PART), PART, ObjectAttributes.NONE);
        AtomicInteger opens = new AtomicInteger();
        azure.beforeOpen(() -> {
            if (opens.incrementAndGet() == 2) {
                azure.seed("big.bin", bytes(3 * PART));
            }
        });

        CopyResult result = copyWhileUploadsAreHeldUntil(info, () -> opens.get() >= 2);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED));
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.requests(Op.COMPLETE)).isZero();
        assertThat(s3.requests(Op.ABORT)).isEqualTo(1);
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void abortsTheMultipartWriteWhenARangedReadFails() {
        ObjectInfo info = azure.seedMultipart("big.bin", bytes(10 * PART), PART, ObjectAttributes.NONE);
        StoreException boom = new StoreException(Kind.UNAVAILABLE, 503, "ServerBusy", "ranged read failed", null, null);
        AtomicInteger opens = new AtomicInteger();
        azure.beforeOpen(() -> {
            if (opens.incrementAndGet() == 2) {
                throw boom;
            }
        });

        assertThatThrownBy(() -> copyWhileUploadsAreHeldUntil(info, () -> opens.get() >= 2))
                .isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.requests(Op.COMPLETE)).isZero();
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    /**
     * Copies the object from Azure to S3 with the part uploads held until {@code ready}: the front GET
     * cannot read past the parts that fill the upload slots before the ranged reads begin.
     */
    private CopyResult copyWhileUploadsAreHeldUntil(ObjectInfo info, Callable<Boolean> ready) throws Exception {
        CountDownLatch gate = s3.holdPartUploads();
        try (ExecutorService copies = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<CopyResult> copy = copies.submit(
                    () -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT));
            try {
                await().until(ready);
            } finally {
                gate.countDown();
            }
            return copy.get();
        }
    }

    @Test
    void copiesTheVersionTheEventNamesWhileItIsTheCurrentOne() throws Exception {
        InMemoryStore versioned = InMemoryStore.s3Versioned("photos-backup");
        ObjectInfo first = versioned.seed("a.txt", "first");

        copier.copy(task(created(versioned, first, "0A"), rule, versioned, azure), IF_ABSENT);

        assertThat(new String(azure.contentOf("a.txt"))).isEqualTo("first");
        assertThat(azure.infoOf("a.txt").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_VERSION, first.versionId());
    }

    @Test
    void skipsAVersionNoLongerCurrentAsSupersededThoughItIsStillReadable() throws Exception {
        InMemoryStore versioned = InMemoryStore.s3Versioned("photos-backup");
        ObjectInfo first = versioned.seed("a.txt", "same bytes");
        versioned.seed("a.txt", "same bytes"); // a new version with the same ETag: only the version id tells

        CopyResult result = copier.copy(task(created(versioned, first, "0A"), rule, versioned, azure), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED));
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void skipsAsSupersededWhenTheSourceChangedSinceTheEvent() throws Exception {
        ObjectInfo old = s3.seed("a.txt", "old");
        s3.seed("a.txt", "new");

        CopyResult result = copier(S3ToAzureMode.STREAM).copy(task(created(s3, old, "0A"), rule, s3, azure), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED));
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void skipsAsSourceGoneWhenTheSourceWasDeletedBeforeTheCopy() throws Exception {
        ObjectInfo info = s3.seed("a.txt", "bytes");
        s3.beforeOpen(() -> s3.delete("a.txt", Precondition.NONE));

        CopyResult result = copier.copy(task(created(s3, info, "0A"), rule, s3, azure), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SOURCE_GONE));
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void skipsTheEchoOfItsOwnReplicaFromTheGetResponseAlone() throws Exception {
        // What this rule writes on a replica of azure's a.txt: the marker, the rule, and a.txt there as its source.
        ObjectInfo replica = s3.seed("a.txt", "x".getBytes(), ObjectAttributes.NONE.withUserMetadata(Map.of(
                Provenance.REPLICA_MARKER, "1", Provenance.RULE, rule.name(),
                Provenance.SOURCE_URI, azure.uriOf("a.txt").toASCIIString())));

        CopyResult result = copier.copy(task(created(s3, replica, "0A"), rule, s3, azure), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA));
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.OPEN, 1));
        assertThat(azure.totalRequests()).isZero();
    }

    @Test
    void skipsADirectoryOfAHierarchicalNamespaceMadeThroughTheBlobApi() throws Exception {
        ObjectInfo directory = azure.seed("reports", new byte[0],
                ObjectAttributes.NONE.withUserMetadata(Map.of(ObjectInfo.HNS_DIRECTORY_METADATA, "true")));

        CopyResult result = copier.copy(task(created(azure, directory, "0A"), rule, azure, s3), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.DIRECTORY_ENTRY));
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void writesNothingWhenTheBytesReadDoNotMatchTheSourceChecksum() {
        ObjectInfo info = azure.seed("a.bin", bytes(100));
        azure.corruptReads();

        assertThatThrownBy(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT))
                .isInstanceOfSatisfying(ReplicationFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(ReasonCodes.CHECKSUM_MISMATCH);
                    assertThat(f.isTransient()).isFalse();
                });
        assertThat(s3.totalRequests()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    /** The source's MD5 is held against the bytes read whether or not the parts carry MD5s of their own. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void abortsAMultipartWriteWhoseBytesDoNotMatchTheSourceChecksum(boolean partsCarryMd5s) {
        if (!partsCarryMd5s) {
            s3.checkingPartsWithoutMd5();
        }
        ObjectInfo info = azure.seed("big.bin", bytes(5 * PART));
        azure.corruptReads();

        assertThatThrownBy(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT))
                .isInstanceOfSatisfying(ReplicationFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(ReasonCodes.CHECKSUM_MISMATCH));
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.requests(Op.COMPLETE)).isZero();
        assertThat(s3.requests(Op.ABORT)).isEqualTo(1);
        assertThat(s3.openMultipartWrites()).isZero();
    }

    @Test
    void abortsTheMultipartWriteWhenAPartFailsLeavingNothingVisible() {
        ObjectInfo info = azure.seed("big.bin", bytes(8 * PART));
        StoreException boom = new StoreException(Kind.UNAVAILABLE, 503, "SlowDown", "part 3 failed", null, null);
        s3.failUploadOfPart(3, boom);

        assertThatThrownBy(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT))
                .isSameAs(boom);
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.requests(Op.COMPLETE)).isZero();
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    /** Read by one GET when the source has a whole MD5, by ranged GETs too when it has none. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void abortsTheMultipartWriteWhenInterrupted(boolean sourceHasMd5) throws Exception {
        ObjectInfo info = sourceHasMd5
                ? azure.seed("big.bin", bytes(8 * PART))
                : azure.seedMultipart("big.bin", bytes(8 * PART), PART, ObjectAttributes.NONE);
        CountDownLatch gate = s3.holdPartUploads();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread copying = Thread.ofPlatform().start(() -> {
            try {
                copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        await().until(() -> s3.requests(Op.UPLOAD_PART) > 0 || !copying.isAlive());
        assertThat(thrown.get()).as("copy failed before uploading").isNull();

        copying.interrupt();
        copying.join();
        gate.countDown();

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.requests(Op.COMPLETE)).isZero();
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void neverHoldsMoreBuffersThanTheBudgetWhileCopyingManyObjectsAtOnce() throws Exception {
        List<ObjectInfo> sources = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            // Mixed sizes: small single puts, part-sized, and multipart objects (read with ranged GETs too).
            sources.add(i % 3 == 2
                    ? azure.seedMultipart("obj-" + i, bytes(5 * PART + i), PART, ObjectAttributes.NONE)
                    : azure.seed("obj-" + i, bytes(i % 3 == 0 ? 100 + i : PART)));
        }
        CountDownLatch gate = s3.holdPartUploads();
        ExecutorService copies = Executors.newFixedThreadPool(8);
        List<Future<CopyResult>> results = new ArrayList<>();
        for (ObjectInfo info : sources) {
            results.add(copies.submit(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT)));
        }
        // With uploads held, copies fill the budget and then queue for it.
        await().until(() -> budget.waiting() > 0);
        gate.countDown();
        for (Future<CopyResult> result : results) {
            assertThat(result.get()).isInstanceOf(CopyResult.Copied.class);
        }
        copies.shutdown();

        assertThat(budget.highWaterMark()).isLessThanOrEqualTo(budget.limit());
        assertThat(budget.inUse()).isZero();
        for (ObjectInfo info : sources) {
            assertThat(s3.contentOf(info.key())).isEqualTo(azure.contentOf(info.key()));
        }
    }

    @Test
    void growsPartsToStayWithinS3sPartLimit() throws Exception {
        BufferBudget roomy = new BufferBudget(4 * CopySettings.MIB, PART);
        ObjectCopier smallParts = new ObjectCopier(new CopySettings(PART, 2, 2, 4 * CopySettings.MIB, S3ToAzureMode.AUTO),
                roomy, CopyMetrics.NONE);
        ObjectInfo info = azure.seed("huge.bin", bytes(10 * 1024 * 1024 + 1));

        smallParts.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT);

        // 1 KiB parts would need 10 241 parts; S3 allows 10 000, so parts grow to 1 MiB.
        assertThat(s3.requests(Op.UPLOAD_PART)).isEqualTo(11);
        assertThat(s3.contentOf("huge.bin")).isEqualTo(azure.contentOf("huge.bin"));
    }

    @Test
    void refusesAnObjectWhosePartsWouldNotFitTheMemoryBudget() {
        ObjectInfo info = azure.seed("huge.bin", bytes(10 * 1024 * 1024 + 1));

        assertThatThrownBy(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT))
                .isInstanceOfSatisfying(ReplicationFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(ReasonCodes.OBJECT_TOO_LARGE));
        assertThat(s3.totalRequests()).isZero();
    }

    @Test
    void carriesTagsAndTheRulesTargetOptions() throws Exception {
        TargetOptions kms = new TargetOptions("STANDARD_IA", "aws:kms", "alias/backup", null, null);
        ReplicationRule withTags = rule().copyTags().s3Options(kms).build();
        ObjectInfo info = azure.seed("a.txt", "x".getBytes(),
                new ObjectAttributes("text/plain", null, null, null, null, Map.of(), Map.of("team", "data")));

        copier.copy(task(created(azure, info, "0A"), withTags, azure, s3), IF_ABSENT);

        assertThat(s3.writeOptionsOf("a.txt")).isEqualTo(kms);
        assertThat(s3.infoOf("a.txt").attributes().tags()).containsEntry("team", "data");
        assertThat(s3.infoOf("a.txt").attributes().contentType()).isEqualTo("text/plain");
        assertThat(azure.requests(Op.READ_TAGS)).isEqualTo(1);
    }

    @Test
    void reportsALostRaceForTheTargetAsTargetChanged() {
        ObjectInfo info = azure.seed("a.txt", "mine");
        s3.seed("a.txt", "written by a racing worker");

        assertThatThrownBy(() -> copier.copy(task(created(azure, info, "0A"), rule, azure, s3), IF_ABSENT))
                .isInstanceOfSatisfying(ReplicationFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(ReasonCodes.TARGET_CHANGED);
                    assertThat(f.isTransient()).isTrue();
                });
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("written by a racing worker");
    }

    // ---------------------------------------------------------------- S3 → Azure server-side

    private final InMemoryStore.PresigningStore presigningS3 = InMemoryStore.s3WithPresignedReads("photos-backup");
    private final InMemoryStore.UrlCopyingStore urlCopyingAzure = InMemoryStore.azureWithUrlCopy("acct", "photos");

    @Test
    void letsAzureFetchFromAPresignedUrlInAutoMode() throws Exception {
        byte[] content = bytes(3 * PART);
        ObjectInfo info = presigningS3.seed("a.bin", content);

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("server-side");
        assertThat(copied.replica().method()).isEqualTo(WrittenReplica.Method.SERVER_SIDE);
        assertThat(urlCopyingAzure.contentOf("a.bin")).isEqualTo(content);
        assertThat(urlCopyingAzure.infoOf("a.bin").attributes().userMetadata())
                .containsEntry(Provenance.REPLICA_MARKER, "1")
                .containsEntry(Provenance.SOURCE_MD5, Checksums.base64(info.contentMd5()));
        assertThat(presigningS3.requestSummary()).as("a HEAD before the copy and one after").isEqualTo(Map.of(Op.STAT, 2));
        assertThat(urlCopyingAzure.requestSummary()).isEqualTo(Map.of(Op.COPY_FROM_URL, 1));
        assertThat(fallbacks).isEmpty();
    }

    @Test
    void growsServerSideBlocksToStayWithinAzuresBlockLimit() throws Exception {
        // 1 KiB blocks would need 50 001 blocks; Azure allows 50 000, so blocks grow to 1 MiB.
        byte[] content = bytes(50_001 * PART);
        ObjectInfo info = presigningS3.seed("huge.bin", content);

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("server-side");
        assertThat(urlCopyingAzure.contentOf("huge.bin")).isEqualTo(content);
    }

    @Test
    void fallsBackToStreamingWhenAzureCannotFetchTheSource() throws Exception {
        ObjectInfo info = presigningS3.seed("a.bin", bytes(100));
        urlCopyingAzure.failUrlCopies(new StoreException(Kind.FORBIDDEN, 403, "CannotVerifyCopySource",
                "the source is not reachable", null, null));

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("streamed-after-fallback");
        assertThat(urlCopyingAzure.contentOf("a.bin")).isEqualTo(presigningS3.contentOf("a.bin"));
        assertThat(fallbacks).containsExactly("cannot-verify-copy-source");
    }

    @Test
    void streamsAnObjectWhosePresignedUrlIsLongerThanAzureTakesAsACopySource() throws Exception {
        String longKey = "reports/" + "é".repeat(400) + ".csv"; // six URL-encoded characters each
        ObjectInfo info = presigningS3.seed(longKey, bytes(100));

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("streamed-after-fallback");
        assertThat(urlCopyingAzure.requests(Op.COPY_FROM_URL)).isZero();
        assertThat(urlCopyingAzure.contentOf(longKey)).isEqualTo(presigningS3.contentOf(longKey));
        assertThat(fallbacks).containsExactly("copy-source-too-long");
        // Only that object: the next one is copied server-side again.
        ObjectInfo next = presigningS3.seed("b.bin", bytes(100));
        assertThat(((CopyResult.Copied) copier.copy(serverSideTask(next), IF_ABSENT)).action()).isEqualTo("server-side");
    }

    @Test
    void fallsBackToStreamingWhenTheServiceCannotCopyFromUrls() throws Exception {
        ObjectInfo info = presigningS3.seed("a.bin", bytes(100));
        urlCopyingAzure.failUrlCopies(new StoreException(Kind.UNSUPPORTED, 501, "NotImplemented", "no", null, null));

        CopyResult.Copied copied = (CopyResult.Copied) copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("streamed-after-fallback");
        assertThat(fallbacks).containsExactly("unsupported");
    }

    @Test
    void aTargetThatCannotCopyFromUrlsIsNotAskedAgain() throws Exception {
        urlCopyingAzure.failUrlCopies(new StoreException(Kind.UNSUPPORTED, 501, "NotImplemented", "no", null, null));
        copier.copy(serverSideTask(presigningS3.seed("first.bin", bytes(100))), IF_ABSENT);
        int urlCopiesAfterFirst = urlCopyingAzure.requests(Op.COPY_FROM_URL);
        int headsAfterFirst = presigningS3.requests(Op.STAT);

        CopyResult.Copied second = (CopyResult.Copied) copier.copy(serverSideTask(presigningS3.seed("second.bin", bytes(200))), IF_ABSENT);

        assertThat(second.action()).isEqualTo("streamed");
        assertThat(urlCopyingAzure.contentOf("second.bin")).isEqualTo(presigningS3.contentOf("second.bin"));
        assertThat(urlCopyingAzure.requests(Op.COPY_FROM_URL)).isEqualTo(urlCopiesAfterFirst);
        assertThat(presigningS3.requests(Op.STAT)).as("no HEAD for a pre-signed URL").isEqualTo(headsAfterFirst);
        assertThat(fallbacks).containsExactly("unsupported");
    }

    @Test
    void aSourceAzureCannotFetchIsTriedServerSideAgainNextTime() throws Exception {
        urlCopyingAzure.failUrlCopies(new StoreException(Kind.FORBIDDEN, 403, "CannotVerifyCopySource", "unreachable", null, null));
        copier.copy(serverSideTask(presigningS3.seed("first.bin", bytes(100))), IF_ABSENT);

        CopyResult.Copied second = (CopyResult.Copied) copier.copy(serverSideTask(presigningS3.seed("second.bin", bytes(200))), IF_ABSENT);

        assertThat(second.action()).isEqualTo("streamed-after-fallback");
        assertThat(fallbacks).containsExactly("cannot-verify-copy-source", "cannot-verify-copy-source");
    }

    @Test
    void neverFallsBackInServerSideMode() {
        ObjectInfo info = presigningS3.seed("a.bin", bytes(100));
        StoreException unsupported = new StoreException(Kind.UNSUPPORTED, 501, "NotImplemented", "no", null, null);
        urlCopyingAzure.failUrlCopies(unsupported);

        assertThatThrownBy(() -> copier(S3ToAzureMode.SERVER_SIDE).copy(serverSideTask(info), IF_ABSENT))
                .isSameAs(unsupported);
        assertThat(urlCopyingAzure.keys()).isEmpty();
        assertThat(fallbacks).isEmpty();
    }

    @Test
    void deadLettersServerSideModeWhenTheStoresCannotCopyServerSide() {
        ObjectInfo info = s3.seed("a.bin", bytes(100));

        assertThatThrownBy(() -> copier(S3ToAzureMode.SERVER_SIDE).copy(task(created(s3, info, "0A"), rule, s3, azure), IF_ABSENT))
                .isInstanceOfSatisfying(ReplicationFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(ReasonCodes.SERVER_SIDE_UNAVAILABLE));
    }

    @Test
    void streamsThroughThisProcessInStreamMode() throws Exception {
        ObjectInfo info = presigningS3.seed("a.bin", bytes(100));

        CopyResult.Copied copied = (CopyResult.Copied) copier(S3ToAzureMode.STREAM).copy(serverSideTask(info), IF_ABSENT);

        assertThat(copied.action()).isEqualTo("streamed");
        assertThat(urlCopyingAzure.requests(Op.COPY_FROM_URL)).isZero();
    }

    @Test
    void skipsAServerSideCopyOfASourceThatChangedSinceTheEvent() throws Exception {
        ObjectInfo old = presigningS3.seed("a.bin", "old".getBytes());
        presigningS3.seed("a.bin", "new".getBytes());

        CopyResult result = copier.copy(serverSideTask(old), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED));
        assertThat(urlCopyingAzure.requests(Op.COPY_FROM_URL)).isZero();
    }

    @Test
    void removesAServerSideReplicaWhoseSourceWasOverwrittenWhileAzureCopiedIt() throws Exception {
        ObjectInfo info = presigningS3.seed("a.bin", bytes(3 * PART));
        urlCopyingAzure.whileCopying(() -> presigningS3.seed("a.bin", bytes(3 * PART + 1)));

        CopyResult result = copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class, n -> {
            assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED);
            assertThat(n.detail()).contains("changed while Azure copied it");
        });
        assertThat(urlCopyingAzure.keys()).isEmpty();
    }

    @Test
    void keepsAServerSideReplicaWhoseSourceWasDeletedOnceAzureHadItsBytes() throws Exception {
        byte[] content = bytes(3 * PART);
        ObjectInfo info = presigningS3.seed("a.bin", content);
        // Azure fetched every block (a block fetched after the delete fails the copy), then the source went:
        // the replica is whole, and a backup keeps it unless the rule's delete policy says otherwise.
        urlCopyingAzure.whileCopying(() -> presigningS3.delete("a.bin", Precondition.NONE));

        CopyResult result = copier.copy(serverSideTask(info), IF_ABSENT);

        assertThat(result).isInstanceOf(CopyResult.Copied.class);
        assertThat(urlCopyingAzure.contentOf("a.bin")).isEqualTo(content);
    }

    @Test
    void eachBlockOfAServerSideCopyFetchesWithAUrlSignedForItSoExpiringCredentialsDoNotFailTheCopy() throws Exception {
        byte[] content = bytes(3 * PART);
        ObjectInfo info = presigningS3.seed("a.bin", content);
        // STS credentials renewed mid-copy: the URLs they signed stop working, whatever their own validity.
        urlCopyingAzure.betweenBlocks(presigningS3::expireSignedUrls);

        CopyResult result = copier(S3ToAzureMode.SERVER_SIDE).copy(serverSideTask(info), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.Copied.class,
                copied -> assertThat(copied.action()).isEqualTo(CopyResult.SERVER_SIDE));
        assertThat(urlCopyingAzure.contentOf("a.bin")).isEqualTo(content);
    }

    @Test
    void aServerSideCopyPinnedToItsVersionDoesNotLookAtTheSourceAgain() throws Exception {
        InMemoryStore.PresigningStore versioned = InMemoryStore.s3VersionedWithPresignedReads("photos-backup");
        ObjectInfo info = versioned.seed("a.bin", bytes(3 * PART));

        CopyResult result = copier.copy(task(created(versioned, info, "0A"), rule, versioned, urlCopyingAzure), IF_ABSENT);

        assertThat(result).isInstanceOf(CopyResult.Copied.class);
        assertThat(versioned.requestSummary()).as("the URL reads the event's version, whatever the key holds since")
                .isEqualTo(Map.of(Op.STAT, 1));
    }

    @Test
    void skipsAVersionNoLongerCurrentAsSupersededBeforeSigningAUrlForIt() throws Exception {
        InMemoryStore.PresigningStore versioned = InMemoryStore.s3VersionedWithPresignedReads("photos-backup");
        ObjectInfo first = versioned.seed("a.bin", "same bytes");
        versioned.seed("a.bin", "same bytes");

        CopyResult result = copier.copy(task(created(versioned, first, "0A"), rule, versioned, urlCopyingAzure), IF_ABSENT);

        assertThat(result).isInstanceOfSatisfying(CopyResult.NotCopied.class,
                n -> assertThat(n.reason()).isEqualTo(ReasonCodes.SUPERSEDED));
        assertThat(urlCopyingAzure.requestSummary()).isEmpty();
    }

    private ReplicationTask serverSideTask(ObjectInfo info) {
        return task(created(presigningS3, info, "0A"), rule, presigningS3, urlCopyingAzure);
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] bytes(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return content;
    }

    private static List<byte[]> partMd5s(byte[] content, int partSize) {
        List<byte[]> md5s = new ArrayList<>();
        for (int offset = 0; offset < content.length; offset += partSize) {
            md5s.add(Checksums.md5(ByteBuffer.wrap(content, offset, Math.min(partSize, content.length - offset))));
        }
        return md5s;
    }
}
