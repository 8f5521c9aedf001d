package dev.skyferry.pipeline;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.deleted;
import static dev.skyferry.plan.TaskFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.WriteResult;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.InMemoryStore;
import dev.skyferry.testkit.InMemoryStore.Op;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The whole chain on in-memory stores: route → plan → copy → verify → outcome, with request counts. */
class ReplicationPipelineTest {

    private static final int PART = 1024;
    /** The sequencer of a backfill's events (DirectReplication, EnqueueReplication): none, nor on the replicas it writes. */
    private static final String BACKFILL = null;

    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");
    private final InMemoryStore s3 = InMemoryStore.s3("photos-backup");
    private final BufferBudget budget = new BufferBudget(16 * PART, PART);
    private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);

    private ReplicationPipeline pipeline(ReplicationRule rule) {
        return new ReplicationPipeline(RuleSet.of(List.of(rule)), this::store,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);
    }

    private final ReplicationPipeline pipeline = pipeline(rule().build());

    /** S3 → Azure copied by Azure from a pre-signed URL of the source. */
    private ReplicationPipeline serverSidePipeline(InMemoryStore.PresigningStore s3Source,
                                                   InMemoryStore.UrlCopyingStore azureTarget) {
        StoreLookup stores = (kind, account, container) -> kind == StoreKind.S3 ? s3Source : azureTarget;
        return new ReplicationPipeline(RuleSet.of(List.of(rule().build())), stores,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.SERVER_SIDE), budget, clock);
    }

    private ObjectStore store(StoreKind kind, String account, String container) {
        if (kind == StoreKind.S3 && container.equals(s3.container())) {
            return s3;
        }
        if (kind == StoreKind.AZURE_BLOB && "acct".equals(account) && container.equals(azure.container())) {
            return azure;
        }
        throw new IllegalArgumentException("no store for " + kind + " " + account + "/" + container);
    }

    @Test
    void replicatesASmallObjectWithAGetAndAPutOnly() {
        ObjectInfo info = azure.seed("a.txt", "hello");

        Outcome outcome = pipeline.process(created(azure, info, "0A"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> {
            assertThat(r.action()).isEqualTo("streamed");
            assertThat(r.bytes()).isEqualTo(5);
            assertThat(r.target()).isEqualTo(s3.uriOf("a.txt"));
        });
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("hello");
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.OPEN, 1));
        // S3 enforces the put's If-None-Match, so a new object needs no HEAD of the target.
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.PUT, 1));
    }

    @Test
    void looksAtATargetThatIgnoresConditionalWritesBeforeWriting() {
        s3.ignoringConditionalWrites();
        ObjectInfo info = azure.seed("a.txt", "hello");

        Outcome outcome = pipeline.process(created(azure, info, "0A"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("hello");
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.STAT, 1, Op.PUT, 1));
    }

    @Test
    void skipsTheEchoOfItsOwnReplicaWithOneGetAndNothingElse() {
        ObjectInfo original = azure.seed("a.txt", "hello");
        pipeline.process(created(azure, original, "0A"));
        azure.resetRequestCounts();
        s3.resetRequestCounts();

        Outcome echo = pipeline.process(created(s3, s3.infoOf("a.txt"), "1000"));

        assertThat(echo.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        // The echo is told from the GET; the Azure target, written only ever under If-None-Match, is never looked at.
        assertThat(azure.totalRequests()).isZero();
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.OPEN, 1));
        assertThat(azure.infoOf("a.txt").etag()).isEqualTo(original.etag());
    }

    @Test
    void aCopySomeoneMadeOfAReplicaUnderAnotherKeyIsReplicatedWhileTheReplicaItselfStaysAnEcho() {
        pipeline.process(created(azure, azure.seed("a.txt", "hello"), "0A"));
        // CopyObject keeps the metadata: the copy carries the replica's marker and provenance.
        ObjectInfo replica = s3.infoOf("a.txt");
        ObjectInfo copy = s3.seed("copy-of-a.txt", s3.contentOf("a.txt"), replica.attributes());

        Outcome copied = pipeline.process(created(s3, copy, "0B"));
        Outcome echo = pipeline.process(created(s3, replica, "0C"));

        assertThat(copied).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(azure.contentOf("copy-of-a.txt"))).isEqualTo("hello");
        assertThat(azure.infoOf("copy-of-a.txt").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_URI, s3.uriOf("copy-of-a.txt").toASCIIString());
        assertThat(echo.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(azure.keys()).containsExactly("a.txt", "copy-of-a.txt");
    }

    @Test
    void theEchoOfAReplicaWrittenToAnArchiveTierIsSkippedThoughItCannotBeRead() {
        pipeline.process(created(azure, azure.seed("a.txt", "hello"), "0A"));
        // S3 refuses a GET of a GLACIER object (Azure of an Archive-tier blob) until it is restored; a HEAD works.
        s3.failNext(Op.OPEN, new StoreException(StoreException.Kind.ARCHIVED, 403, "InvalidObjectState",
                "The operation is not valid for the object's storage class", null, null));

        Outcome echo = pipeline.process(created(s3, s3.infoOf("a.txt"), "1000"));

        assertThat(echo.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
    }

    @Test
    void anArchivedObjectThatIsNoReplicaIsDeadLetteredAsArchived() {
        ObjectInfo archived = s3.seed("cold.bin", "x");
        s3.failNext(Op.OPEN, new StoreException(StoreException.Kind.ARCHIVED, 403, "InvalidObjectState",
                "The operation is not valid for the object's storage class", null, null));

        assertThat(pipeline.process(created(s3, archived, "0A"))).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.reason()).isEqualTo(StoreException.Kind.ARCHIVED.reason()));
    }

    @Test
    void anObjectWhoseUploaderSetTheReplicaMarkerAloneIsStillBackedUp() {
        ObjectInfo marked = s3.seed("a.txt", "hello".getBytes(), ObjectAttributes.NONE.withUserMetadata(
                Map.of(Provenance.REPLICA_MARKER, Provenance.MARKER_VALUE)));

        assertThat(pipeline.process(created(s3, marked, "0A"))).isInstanceOf(Outcome.Replicated.class);
        assertThat(azure.infoOf("a.txt").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_URI, s3.uriOf("a.txt").toASCIIString());
    }

    @Test
    void aReplicaAnotherRuleWroteStaysAnEchoWhereverItIs() {
        ObjectInfo original = azure.seed("a.txt", "hello");
        pipeline(rule().name("upstream").build()).process(created(azure, original, "0A"));
        ObjectInfo copy = s3.seed("copy-of-a.txt", s3.contentOf("a.txt"), s3.infoOf("a.txt").attributes());

        // Replicas of one rule are never the sources of another: rules that chain could pass them round forever.
        assertThat(pipeline.process(created(s3, copy, "0B")).reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(azure.keys()).containsExactly("a.txt");
    }

    @Test
    void twoWayRuleWithOneWritePerSideEndsWithExactlyOneReplicaEach() {
        ObjectInfo onAzure = azure.seed("from-azure.txt", "A");
        ObjectInfo onS3 = s3.seed("from-s3.txt", "S");

        assertThat(pipeline.process(created(azure, onAzure, "01"))).isInstanceOf(Outcome.Replicated.class);
        assertThat(pipeline.process(created(s3, onS3, "01"))).isInstanceOf(Outcome.Replicated.class);
        // Each replica write raises an event on its side; both must be recognised as echoes.
        assertThat(pipeline.process(created(s3, s3.infoOf("from-azure.txt"), "02")).reasonCode())
                .isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(pipeline.process(created(azure, azure.infoOf("from-s3.txt"), "02")).reasonCode())
                .isEqualTo(ReasonCodes.ECHO_OF_REPLICA);

        assertThat(azure.keys()).containsExactly("from-azure.txt", "from-s3.txt");
        assertThat(s3.keys()).containsExactly("from-azure.txt", "from-s3.txt");
        assertThat(azure.infoOf("from-azure.txt").etag()).isEqualTo(onAzure.etag());
        assertThat(s3.infoOf("from-s3.txt").etag()).isEqualTo(onS3.etag());
    }

    @Test
    void skipsADuplicateEventWithOneHeadAndTheGetThatRanAlongside() {
        s3.ignoringConditionalWrites(); // only a look guards this target, and it runs while the source opens
        ObjectInfo info = azure.seed("a.txt", "hello");
        ReplicationEvent event = created(azure, info, "0A");
        pipeline.process(event);
        azure.resetRequestCounts();
        s3.resetRequestCounts();

        Outcome duplicate = pipeline.process(event);

        assertThat(duplicate.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.OPEN, 1)); // opened while planning, never read
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.STAT, 1));
    }

    @Test
    void writesANewObjectToAzureWithoutLookingAtTheTargetFirst() {
        ObjectInfo info = s3.seed("a.txt", "hello");

        Outcome outcome = pipeline.process(created(s3, info, "0A"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(azure.contentOf("a.txt"))).isEqualTo("hello");
        // Azure enforces the put's If-None-Match, so a new object needs no HEAD of the target.
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.PUT, 1));
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.OPEN, 1));
    }

    @Test
    void skipsADuplicateEventToAzureAfterItsPutIsRefusedAndOneHead() {
        ObjectInfo info = s3.seed("a.txt", "hello");
        ReplicationEvent event = created(s3, info, "0A");
        pipeline.process(event);
        String replicaEtag = azure.infoOf("a.txt").etag();
        azure.resetRequestCounts();

        Outcome duplicate = pipeline.process(event);

        assertThat(duplicate.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.PUT, 1, Op.STAT, 1)); // the refused put, then the look
        assertThat(azure.infoOf("a.txt").etag()).isEqualTo(replicaEtag);
    }

    @Test
    void replacesAnOlderReplicaOnAzureOnlyAfterLookingAtIt() {
        pipeline.process(created(s3, s3.seed("a.txt", "first"), "01"));
        azure.resetRequestCounts();

        Outcome newer = pipeline.process(created(s3, s3.seed("a.txt", "second"), "02"));

        assertThat(newer).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(azure.contentOf("a.txt"))).isEqualTo("second");
        // Refused under If-None-Match, planned from the HEAD, written again under If-Match on the old replica.
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.PUT, 2, Op.STAT, 1));
    }

    @Test
    void looksAtAnAzureTargetBeforeWritingAnObjectInParts() {
        ObjectInfo info = s3.seed("big.bin", bytes(4 * PART + 1));
        ReplicationEvent event = created(s3, info, "0A");
        pipeline.process(event);
        azure.resetRequestCounts();

        Outcome duplicate = pipeline.process(event);

        // A conflict found at the commit would have cost every block: the HEAD comes first.
        assertThat(duplicate.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.STAT, 1));
    }

    @Test
    void neverOverwritesANewerReplicaWithAnOlderEventArrivingLate() {
        ObjectInfo first = azure.seed("a.txt", "first");
        ReplicationEvent older = created(azure, first, "01");
        ObjectInfo second = azure.seed("a.txt", "second");
        ReplicationEvent newer = created(azure, second, "02");

        assertThat(pipeline.process(newer)).isInstanceOf(Outcome.Replicated.class);
        Outcome late = pipeline.process(older);

        assertThat(late.reasonCode()).isEqualTo(ReasonCodes.STALE_EVENT);
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("second");
    }

    @Test
    void aBackfillNeverOverwritesTheReplicaOfANewerVersionALiveWorkerWroteWhileItRead() {
        ObjectInfo v1 = azure.seed("a.txt", "v1");
        ReplicationPipeline liveWorker = pipeline(rule().build());
        // The backfill has read v1 when the key is overwritten and a live worker replicates v2 first.
        s3.beforeNext(Op.PUT, () -> assertThat(liveWorker.process(created(azure, azure.seed("a.txt", "v2"), "02")))
                .isInstanceOf(Outcome.Replicated.class));

        Outcome backfilled = pipeline.process(created(azure, v1, BACKFILL));

        assertThat(backfilled.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("v2");
    }

    @Test
    void aLiveEventNeverOverwritesTheReplicaOfANewerVersionABackfillWroteWhileItRead() {
        ObjectInfo v1 = azure.seed("a.txt", "v1");
        ReplicationPipeline backfill = pipeline(rule().build());
        s3.beforeNext(Op.PUT, () -> assertThat(backfill.process(created(azure, azure.seed("a.txt", "v2"), BACKFILL)))
                .isInstanceOf(Outcome.Replicated.class));

        Outcome live = pipeline.process(created(azure, v1, "01"));

        assertThat(live.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("v2");
        assertThat(Provenance.get(s3.infoOf("a.txt").attributes().userMetadata(), Provenance.SOURCE_ETAG))
                .isEqualTo(azure.infoOf("a.txt").etag());
    }

    @Test
    void anObjectInPartsNeverOverwritesTheReplicaOfANewerVersionABackfillWroteWhileItRead() {
        ObjectInfo v1 = azure.seed("big.bin", bytes(4 * PART + 1));
        byte[] v2 = bytes(4 * PART + 2);
        ReplicationPipeline backfill = pipeline(rule().build());
        // The look at the target before the first part: the backfill's replica of v2 has just landed.
        s3.beforeNext(Op.STAT, () -> assertThat(backfill.process(created(azure, azure.seed("big.bin", v2), BACKFILL)))
                .isInstanceOf(Outcome.Replicated.class));

        Outcome live = pipeline.process(created(azure, v1, "01"));

        assertThat(live.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(s3.contentOf("big.bin")).isEqualTo(v2);
        assertThat(s3.openMultipartWrites()).isZero();
    }

    @Test
    void aServerSideCopyNeverOverwritesTheReplicaOfANewerVersionABackfillWroteMeanwhile() {
        InMemoryStore.PresigningStore source = InMemoryStore.s3WithPresignedReads("photos-backup");
        InMemoryStore.UrlCopyingStore target = InMemoryStore.azureWithUrlCopy("acct", "photos");
        ReplicationPipeline live = serverSidePipeline(source, target);
        ReplicationPipeline backfill = serverSidePipeline(source, target);
        ObjectInfo v1 = source.seed("a.txt", "v1");
        target.beforeNext(Op.STAT, () -> assertThat(backfill.process(created(source, source.seed("a.txt", "v2"), BACKFILL)))
                .isInstanceOf(Outcome.Replicated.class));

        Outcome outcome = live.process(created(source, v1, "01"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(new String(target.contentOf("a.txt"))).isEqualTo("v2");
    }

    @Test
    void aServerSideCopyWhoseReplicaTheNextVersionReplacedRightAfterItsCommitIsNotAVerificationFailure() {
        InMemoryStore.PresigningStore source = InMemoryStore.s3WithPresignedReads("photos-backup");
        InMemoryStore.UrlCopyingStore target = InMemoryStore.azureWithUrlCopy("acct", "photos");
        ReplicationPipeline worker = serverSidePipeline(source, target);
        ReplicationPipeline otherWorker = serverSidePipeline(source, target);
        ObjectInfo v1 = source.seed("a.txt", "version one");
        AtomicInteger sourceHeads = new AtomicInteger();
        source.afterStat(() -> {
            // The 2nd HEAD of the source is the copier's look after the copy; the next version lands right after it.
            if (sourceHeads.incrementAndGet() == 2) {
                ObjectInfo v2 = source.seed("a.txt", "version two, longer");
                assertThat(otherWorker.process(created(source, v2, "02"))).isInstanceOf(Outcome.Replicated.class);
            }
        });

        Outcome outcome = worker.process(created(source, v1, "01"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(target.contentOf("a.txt"))).isEqualTo("version two, longer");
    }

    @Test
    void aBackfillReplacesTheReplicaOfAnOlderVersionWhileTheSourceStillHoldsTheVersionItRead() {
        pipeline.process(created(azure, azure.seed("a.txt", "v1"), "01"));
        ObjectInfo v2 = azure.seed("a.txt", "v2"); // its own event lost, say: what a backfill is for
        azure.resetRequestCounts();

        Outcome backfilled = pipeline.process(created(azure, v2, BACKFILL));

        assertThat(backfilled).isInstanceOf(Outcome.Replicated.class);
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("v2");
        assertThat(azure.requestSummary()).as("the GET, and a HEAD once the replica turned out to be of another version")
                .isEqualTo(Map.of(Op.OPEN, 1, Op.STAT, 1));
    }

    @Test
    void skipsAnEventWhoseSourceWasOverwrittenAsSuperseded() {
        ObjectInfo first = azure.seed("a.txt", "first");
        azure.seed("a.txt", "second");

        Outcome outcome = pipeline.process(created(azure, first, "01"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void skipsAnObjectDeletedBeforeItCouldBeCopied() {
        ObjectInfo info = azure.seed("a.txt", "gone soon");
        azure.delete("a.txt", Precondition.NONE);

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.SOURCE_GONE);
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void deadLettersAndRemovesAReplicaTheTargetStoredWrongly() {
        ObjectInfo info = azure.seed("a.txt", "hello");
        s3.corruptWrites();

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo(ReasonCodes.REPLICA_VERIFICATION_FAILED);
            assertThat(d.detail()).contains("s3://photos-backup/a.txt", "the replica was deleted");
        });
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void deadLettersAndRemovesAMultipartReplicaTheTargetAssembledWrongly() {
        ObjectInfo info = azure.seed("big.bin", bytes(4 * PART + 1));
        s3.corruptWrites();

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.REPLICA_VERIFICATION_FAILED);
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void deadLettersACorruptedSourceReadWithoutWritingAnything() {
        ObjectInfo info = azure.seed("big.bin", bytes(4 * PART + 1));
        azure.corruptReads();

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.reason()).isEqualTo(ReasonCodes.CHECKSUM_MISMATCH));
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.openMultipartWrites()).isZero();
    }

    @Test
    void retriesAFailureMidCopyLeavingNoPartialReplica() {
        ObjectInfo info = azure.seed("big.bin", bytes(6 * PART));
        s3.failUploadOfPart(4, new StoreException(Kind.THROTTLED, 503, "SlowDown", "reduce your request rate", null, null));

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.reason()).isEqualTo("throttled"));
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void retriesAsInterruptedAndAbortsWhenTheWorkerShutsDown() throws Exception {
        ObjectInfo info = azure.seed("big.bin", bytes(8 * PART));
        CountDownLatch gate = s3.holdPartUploads();
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread worker = Thread.ofPlatform().start(() -> {
            outcome.set(pipeline.process(created(azure, info, "01")));
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        await().until(() -> s3.requests(Op.UPLOAD_PART) > 0 || !worker.isAlive());

        worker.interrupt();
        worker.join();
        gate.countDown();

        assertThat(outcome.get()).isInstanceOfSatisfying(Outcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(ReasonCodes.INTERRUPTED));
        assertThat(interruptKept).as("the interrupt status is restored for the worker").isTrue();
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.openMultipartWrites()).isZero();
    }

    @Test
    void retriesWhenARacingWorkerWroteTheTargetMeanwhile() {
        ObjectInfo info = azure.seed("a.txt", "mine");
        s3.seed("a.txt", "someone else's"); // refuses the first put; the plan then overwrites it under If-Match
        s3.afterStat(() -> s3.seed("a.txt", "the racing worker's")); // after the plan saw "someone else's"

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(ReasonCodes.TARGET_CHANGED));
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("the racing worker's");
    }

    @Test
    void rejectsEventsNoRuleCoversWithoutTouchingAnyStore() {
        InMemoryStore elsewhere = InMemoryStore.s3("unconfigured-bucket");
        ObjectInfo info = elsewhere.seed("a.txt", "x");

        Outcome outcome = pipeline.process(created(elsewhere, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo("no-matching-rule");
            assertThat(d.detail()).contains("unconfigured-bucket");
        });
        assertThat(elsewhere.totalRequests() + s3.totalRequests() + azure.totalRequests()).isZero();
    }

    @Test
    void rejectsAnAzureEventWhoseUrlPointsElsewhereWithoutReadingIt() {
        ObjectInfo info = azure.seed("a.txt", "x");
        ReplicationEvent real = created(azure, info, "01");
        ReplicationEvent forged = new ReplicationEvent(real.source(), real.account(), real.container(), real.key(),
                real.kind(), real.etag(), real.size(), real.versionId(), real.sequencer(), real.eventTime(),
                real.eventId(), real.api(), "https://attacker.example/photos/a.txt", real.topic());

        Outcome outcome = pipeline.process(forged);

        assertThat(outcome.reasonCode()).isEqualTo("foreign-url");
        assertThat(outcome).isInstanceOf(Outcome.DeadLetter.class);
        assertThat(azure.totalRequests() + s3.totalRequests()).isZero();
    }

    @Test
    void skipsKeysTheRulesFilterLeavesOut() {
        ReplicationRule noTemp = new ReplicationRule("photos", rule().build().azure(), rule().build().s3(),
                ReplicationRule.Direction.BOTH, new KeyFilter(List.of(), List.of(), List.of("tmp/"), List.of()),
                DeletePolicy.IGNORE, ReplicationRule.InvalidMetadataPolicy.EXCLUDE, null, null, false);
        ObjectInfo info = azure.seed("tmp/scratch.txt", "x");

        Outcome outcome = pipeline(noTemp).process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Skipped.class,
                s -> assertThat(s.reason()).isEqualTo("filtered"));
        assertThat(azure.totalRequests() + s3.totalRequests()).isZero();
    }

    @Test
    void propagatesADeleteToItsOwnReplica() {
        ReplicationPipeline propagating = pipeline(rule().deletes(DeletePolicy.PROPAGATE).build());
        ObjectInfo info = azure.seed("a.txt", "x");
        propagating.process(created(azure, info, "01"));
        azure.delete("a.txt", Precondition.NONE);

        Outcome outcome = propagating.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> {
            assertThat(r.action()).isEqualTo("deleted");
            assertThat(r.target()).isEqualTo(s3.uriOf("a.txt"));
        });
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void aFileRenamedWhenItsUploadEndedIsReplicatedUnderItsFinalNameAndItsOldReplicaFollowsTheDeletePolicy() {
        ReplicationPipeline propagating = pipeline(rule().deletes(DeletePolicy.PROPAGATE).build());
        propagating.process(created(azure, azure.seed("in/report.csv.filepart", "rows"), "01"));
        // An SFTP client renames its upload once complete: same bytes under the final name, the old name gone.
        azure.seed("in/report.csv", "rows");
        azure.delete("in/report.csv.filepart", Precondition.NONE);
        List<Outcome> outcomes = renamed("SftpRename", azure.uriOf("in/report.csv.filepart").toString(), "in/report.csv")
                .stream().map(propagating::process).toList();

        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Outcome.Replicated.class));
        assertThat(s3.keys()).containsExactly("in/report.csv");
        assertThat(new String(s3.contentOf("in/report.csv"))).isEqualTo("rows");
    }

    @Test
    void aFileMovedInFromAContainerNoRuleCoversIsReplicatedAndItsOldNameSkipped() {
        azure.seed("in/report.csv", "rows");
        String fromUncoveredContainer = azure.uriOf("in/report.csv").toString().replace("/photos/", "/staging/");

        List<Outcome> outcomes = renamed("RenameFile", fromUncoveredContainer, "in/report.csv").stream()
                .map(pipeline::process).toList();

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Replicated.class);
        assertThat(outcomes.get(1)).as("nothing of the old name was replicated: nothing to dead-letter")
                .isInstanceOfSatisfying(Outcome.Skipped.class, s -> assertThat(s.reasonCode()).isEqualTo("no-matching-rule"));
        assertThat(s3.keys()).containsExactly("in/report.csv");
    }

    /** The events of a BlobRenamed as Event Grid delivers it: the new name in container photos of account acct. */
    private List<ReplicationEvent> renamed(String api, String oldUrl, String newName) {
        String rename = """
                {"topic": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
                 "subject": "/blobServices/default/containers/photos/blobs/%s",
                 "eventType": "Microsoft.Storage.BlobRenamed", "id": "r-1", "eventTime": "2025-06-01T00:00:00Z",
                 "dataVersion": "", "metadataVersion": "1",
                 "data": {"api": "%s", "sequencer": "02", "sourceUrl": "%s", "destinationUrl": "%s"}}"""
                .formatted(newName, api, oldUrl, azure.uriOf(newName));
        return new EventParser().parseAzureQueueMessage(rename).items().stream()
                .map(item -> ((ParsedMessage.Accepted) item).event()).toList();
    }

    @Test
    void aDeleteWhoseSourceIsThereLeavesTheReplicaAlone() {
        ReplicationPipeline propagating = pipeline(rule().deletes(DeletePolicy.PROPAGATE).build());
        propagating.process(created(azure, azure.seed("a.txt", "x"), "01"));
        // Written again since the delete (whose event came late), or a delete event that should never have come.

        Outcome outcome = propagating.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.STALE_EVENT);
        assertThat(s3.keys()).containsExactly("a.txt");
    }

    @Test
    void tombstonesItsOwnReplicaKeepingTheBytes() {
        ReplicationPipeline tombstoning = pipeline(rule().deletes(DeletePolicy.TOMBSTONE).build());
        ObjectInfo info = azure.seed("a.txt", "x");
        tombstoning.process(created(azure, info, "01"));
        azure.delete("a.txt", Precondition.NONE);

        Outcome outcome = tombstoning.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> {
            assertThat(r.action()).isEqualTo("tombstoned");
            assertThat(r.target()).isEqualTo(s3.uriOf("a.txt"));
        });
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("x");
        assertThat(s3.infoOf("a.txt").attributes().userMetadata()).containsKey(Provenance.SOURCE_DELETED_AT);
    }

    @Test
    void deadLettersAMissingBucketInsteadOfCallingTheObjectGone() {
        ObjectInfo info = azure.seed("a.txt", "x");
        s3.failNext(Op.PUT, new StoreException(Kind.NOT_FOUND, 404, "NoSuchBucket", "bucket does not exist", null, null));

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.reason()).isEqualTo(ReasonCodes.CONTAINER_NOT_FOUND));
    }

    @Test
    void deadLettersAPermissionProblemAndRetriesThrottling() {
        ObjectInfo info = azure.seed("a.txt", "x");
        s3.failNext(Op.PUT, new StoreException(Kind.FORBIDDEN, 403, "AccessDenied", "denied", null, null));
        s3.failNext(Op.PUT, new StoreException(Kind.THROTTLED, 503, "SlowDown", "slow down", null, null));

        Outcome forbidden = pipeline.process(created(azure, info, "01"));
        Outcome throttled = pipeline.process(created(azure, info, "01"));

        assertThat(forbidden).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> assertThat(d.reason()).isEqualTo("forbidden"));
        assertThat(throttled).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.reason()).isEqualTo("throttled"));
        assertThat(pipeline.process(created(azure, info, "01"))).isInstanceOf(Outcome.Replicated.class);
    }

    @Test
    void neverThrowsEvenWhenTheStoreLookupFails() {
        ReplicationPipeline broken = new ReplicationPipeline(RuleSet.of(List.of(rule().build())),
                (kind, account, container) -> {
                    throw new IllegalStateException("store wiring bug");
                }, new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);
        ObjectInfo info = azure.seed("a.txt", "x");

        Outcome outcome = broken.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo(ReasonCodes.INTERNAL_ERROR);
            assertThat(d.detail()).contains("store wiring bug");
        });
    }

    @Test
    void retriesACopyThatRanOutOfMemoryLeavingNoPartialReplica() {
        ObjectInfo info = azure.seed("big.bin", bytes(6 * PART));
        azure.beforeOpen(() -> {
            throw new OutOfMemoryError("Java heap space");
        });

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
            assertThat(r.reason()).isEqualTo(ReasonCodes.OUT_OF_MEMORY);
            assertThat(r.detail()).contains("Java heap space");
        });
        assertThat(s3.keys()).isEmpty();
        assertThat(s3.openMultipartWrites()).isZero();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void aPartReadThatRunsOutOfMemoryGivesItsBufferBackToTheBudget() {
        ObjectInfo info = azure.seed("big.bin", bytes(6 * PART));
        azure.readsFailAfter(PART + PART / 2, new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory"));

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.OUT_OF_MEMORY);
        assertThat(s3.keys()).isEmpty();
        // The worker lives on after an OutOfMemoryError: a buffer kept here would be gone from the budget for good.
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void deadLettersAnyOtherErrorAsInternal() {
        ObjectInfo info = azure.seed("a.txt", "x");
        azure.beforeOpen(() -> {
            throw new StackOverflowError();
        });

        Outcome outcome = pipeline.process(created(azure, info, "01"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.reason()).isEqualTo(ReasonCodes.INTERNAL_ERROR));
    }

    @Test
    void logLinesOfTheCopyAndOfItsPartUploadsNameTheEventAndTheTarget() {
        Map<Integer, String> logContextOfParts = new ConcurrentHashMap<>();
        InMemoryStore target = new InMemoryStore(StoreKind.S3, null, "photos-backup", false) {
            @Override
            public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
                MultipartWrite write = super.startMultipart(key, spec, condition);
                return new MultipartWrite() {
                    @Override
                    public String uploadId() {
                        return write.uploadId();
                    }

                    @Override
                    public boolean needsPartMd5() {
                        return write.needsPartMd5();
                    }

                    @Override
                    public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
                        logContextOfParts.put(partNumber, MDC.get("object") + " -> " + MDC.get("target"));
                        write.uploadPart(partNumber, data, md5);
                    }

                    @Override
                    public WriteResult complete() {
                        return write.complete();
                    }

                    @Override
                    public void abort() {
                        write.abort();
                    }
                };
            }
        };
        ReplicationPipeline toTarget = new ReplicationPipeline(RuleSet.of(List.of(rule().build())),
                (kind, account, container) -> kind == StoreKind.S3 ? target : azure,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);
        ObjectInfo info = azure.seed("big.bin", bytes(3 * PART + 1));
        MDC.put("object", "azure event of big.bin"); // the worker's part of the context

        try {
            assertThat(toTarget.process(created(azure, info, "01"))).isInstanceOf(Outcome.Replicated.class);
        } finally {
            MDC.remove("object");
        }

        assertThat(logContextOfParts).hasSize(4)
                .allSatisfy((part, context) -> assertThat(context).isEqualTo("azure event of big.bin -> s3://photos-backup/big.bin"));
        assertThat(MDC.get("target")).as("cleared when the task ends").isNull();
    }

    private static byte[] bytes(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return content;
    }
}
