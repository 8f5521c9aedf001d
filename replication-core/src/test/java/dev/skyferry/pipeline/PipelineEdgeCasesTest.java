package dev.skyferry.pipeline;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.deleted;
import static dev.skyferry.plan.TaskFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.InMemoryStore;
import dev.skyferry.testkit.InMemoryStore.Op;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pipeline outcomes on paths the other tests leave out: the server-side echo, truncated or overlong source reads, writes and deletes that lose a race, a copy of a replica's copy. */
class PipelineEdgeCasesTest {

    private static final int PART = 1024;

    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");
    private final InMemoryStore s3 = InMemoryStore.s3("photos-backup");
    private final BufferBudget budget = new BufferBudget(16 * PART, PART);
    private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    private final ReplicationRule rule = rule().build();

    private final ReplicationPipeline pipeline = new ReplicationPipeline(RuleSet.of(List.of(rule)), this::store,
            new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);

    private ObjectStore store(StoreKind kind, String account, String container) {
        return kind == StoreKind.S3 ? s3 : azure;
    }

    /** S3 → Azure as production runs it by default (copy.s3ToAzureMode auto, a real Azure account): server-side. */
    private ReplicationPipeline serverSidePipeline(InMemoryStore.PresigningStore s3Source,
                                                   InMemoryStore.UrlCopyingStore azureTarget) {
        StoreLookup stores = (kind, account, container) -> kind == StoreKind.S3 ? s3Source : azureTarget;
        return new ReplicationPipeline(RuleSet.of(List.of(rule)), stores,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);
    }

    @Test
    void theEchoOfItsOwnReplicaOnS3IsSkippedOnTheServerSidePathAndTheAzureOriginalIsNotWrittenBack() {
        InMemoryStore.PresigningStore source = InMemoryStore.s3WithPresignedReads("photos-backup");
        InMemoryStore.UrlCopyingStore target = InMemoryStore.azureWithUrlCopy("acct", "photos");
        ObjectInfo original = target.seed("a.txt", "hello");
        // What this rule wrote on S3 as the replica of the Azure original.
        ObjectInfo replica = source.seed("a.txt", "hello".getBytes(), ObjectAttributes.NONE.withUserMetadata(Map.of(
                Provenance.REPLICA_MARKER, "1", Provenance.RULE, rule.name(),
                Provenance.SOURCE_URI, target.uriOf("a.txt").toASCIIString())));
        target.resetRequestCounts();

        Outcome echo = serverSidePipeline(source, target).process(created(source, replica, "1000"));

        assertThat(echo.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(target.requests(Op.COPY_FROM_URL)).isZero();
        assertThat(target.infoOf("a.txt").etag()).as("the original is not written back over").isEqualTo(original.etag());
        assertThat(target.infoOf("a.txt").attributes().userMetadata()).doesNotContainKey(Provenance.REPLICA_MARKER);
    }

    @Test
    void aSourceStreamThatEndsBeforeItsSizeIsRetriedAndLeavesNothing() {
        byte[] content = bytes(3 * PART);
        // A multipart upload's object: no whole-object MD5 to catch the short read.
        ObjectInfo info = s3.seedMultipart("big.bin", content, PART, ObjectAttributes.NONE);
        s3.readsEndEarlyBy(10);

        Outcome outcome = pipeline.process(created(s3, info, "0A"));

        assertRetriedAsSizeMismatchLeavingNoReplica(outcome);
        assertThat(azure.openMultipartWrites()).isZero();
    }

    @Test
    void aSmallSourceStreamThatEndsBeforeItsSizeIsRetriedAndLeavesNothing() {
        ObjectInfo info = s3.seedMultipart("small.bin", bytes(500), PART, ObjectAttributes.NONE);
        s3.readsEndEarlyBy(10);

        Outcome outcome = pipeline.process(created(s3, info, "0A"));

        assertRetriedAsSizeMismatchLeavingNoReplica(outcome);
    }

    @Test
    void aSourceStreamLongerThanItsSizeIsRetriedAndLeavesNothing() {
        ObjectInfo info = s3.seedMultipart("small.bin", bytes(500), PART, ObjectAttributes.NONE);
        s3.readsRunLongBy(1);

        Outcome outcome = pipeline.process(created(s3, info, "0A"));

        assertRetriedAsSizeMismatchLeavingNoReplica(outcome);
    }

    /** A source that did not stream its size: the copy is retried, and nothing is left at the target. */
    private void assertRetriedAsSizeMismatchLeavingNoReplica(Outcome outcome) {
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(ReasonCodes.SIZE_MISMATCH));
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void aWriteThatLostAConcurrentConditionalWriteIsRetriedNotDeadLettered() {
        ObjectInfo info = azure.seed("a.txt", "hello");
        s3.failNext(Op.PUT, new StoreException(Kind.CONFLICT, 409, "ConditionalRequestConflict",
                "A conflicting conditional operation is currently in progress against this resource", null, null));

        Outcome outcome = pipeline.process(created(azure, info, "0A"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.reason()).isEqualTo("conflict"));
    }

    @Test
    void aBlockListAnotherWorkersCommitDiscardedIsRetriedNotDeadLettered() {
        ObjectInfo info = s3.seed("big.bin", bytes(3 * PART));
        azure.failNext(Op.COMPLETE, new StoreException(Kind.CONFLICT, 400, "InvalidBlockList",
                "The specified block list is invalid.", null, null));

        Outcome outcome = pipeline.process(created(s3, info, "0A"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.reason()).isEqualTo("conflict"));
        assertThat(azure.keys()).isEmpty();
    }

    private ReplicationPipeline pipelineDeleting(DeletePolicy policy) {
        return new ReplicationPipeline(RuleSet.of(List.of(rule().deletes(policy).build())), this::store,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.AUTO), budget, clock);
    }

    @Test
    void aReplicaThatVanishesBetweenTheLookAndTheDeleteIsAlreadyDeletedNotADeadLetter() {
        ReplicationPipeline propagating = pipelineDeleting(DeletePolicy.PROPAGATE);
        propagating.process(created(azure, azure.seed("a.txt", "x"), "01"));
        azure.delete("a.txt", Precondition.NONE);
        s3.beforeNext(Op.DELETE, () -> s3.delete("a.txt", Precondition.NONE)); // a duplicate delete event won

        Outcome outcome = propagating.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Skipped.class,
                s -> assertThat(s.reason()).isEqualTo(ReasonCodes.ALREADY_DELETED));
    }

    @Test
    void aReplicaRewrittenBetweenTheLookAndTheDeleteIsKeptAndTheDeleteRetried() {
        ReplicationPipeline propagating = pipelineDeleting(DeletePolicy.PROPAGATE);
        propagating.process(created(azure, azure.seed("a.txt", "x"), "01"));
        ObjectInfo replica = s3.infoOf("a.txt");
        azure.delete("a.txt", Precondition.NONE);
        s3.beforeNext(Op.DELETE, () -> s3.seed("a.txt", "y".getBytes(), replica.attributes()));

        Outcome outcome = propagating.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(ReasonCodes.TARGET_CHANGED));
        assertThat(new String(s3.contentOf("a.txt"))).isEqualTo("y");
    }

    @Test
    void aTombstoneNeverStampsAReplicaRewrittenSinceTheLook() {
        ReplicationPipeline tombstoning = pipelineDeleting(DeletePolicy.TOMBSTONE);
        tombstoning.process(created(azure, azure.seed("a.txt", "x"), "01"));
        ObjectInfo replica = s3.infoOf("a.txt");
        azure.delete("a.txt", Precondition.NONE);
        Map<String, String> newer = new java.util.HashMap<>(replica.attributes().userMetadata());
        newer.put(Provenance.SOURCE_SEQUENCER, "03");
        s3.beforeNext(Op.REPLACE_METADATA, () -> s3.seed("a.txt", "y".getBytes(), replica.attributes().withUserMetadata(newer)));

        Outcome outcome = tombstoning.process(deleted(azure, "a.txt", "02"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(ReasonCodes.TARGET_CHANGED));
        assertThat(s3.infoOf("a.txt").attributes().userMetadata())
                .doesNotContainKey(Provenance.SOURCE_DELETED_AT)
                .containsEntry(Provenance.SOURCE_SEQUENCER, "03");
    }

    @Test
    void aCopyOfAReplicaCarriesNoneOfTheOldProvenanceToItsOwnReplica() {
        // Someone copied a tombstoned replica under another key (CopyObject keeps the metadata) ...
        ObjectInfo copy = s3.seed("copy-of-a.txt", "x".getBytes(), ObjectAttributes.NONE.withUserMetadata(Map.of(
                Provenance.REPLICA_MARKER, "1", Provenance.RULE, rule.name(),
                Provenance.SOURCE_URI, azure.uriOf("a.txt").toASCIIString(),
                Provenance.SOURCE_SEQUENCER, "FFFFFFFFFFFFFFFF", Provenance.SOURCE_DELETED_AT, "2025-01-01T00:00:00Z",
                "owner", "kept")));

        // ... and a backfill (no sequencer) replicates the copy.
        Outcome outcome = pipeline.process(created(s3, copy, null));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(azure.infoOf("copy-of-a.txt").attributes().userMetadata())
                .containsEntry("owner", "kept")
                .containsEntry(Provenance.SOURCE_URI, s3.uriOf("copy-of-a.txt").toASCIIString())
                .doesNotContainKeys(Provenance.SOURCE_SEQUENCER, Provenance.SOURCE_DELETED_AT);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
