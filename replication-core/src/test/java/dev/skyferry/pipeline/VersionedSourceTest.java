package dev.skyferry.pipeline;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.deleted;
import static dev.skyferry.plan.TaskFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.InMemoryStore;
import dev.skyferry.testkit.InMemoryStore.Op;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * S3 sources with versioning, where an event's version may no longer be the key's current one: a
 * version read by its id stays readable after it was overwritten or deleted, so only a look at the
 * key's current version keeps old bytes and deleted keys out of the replica.
 */
class VersionedSourceTest {

    private static final int PART = 1024;

    private final InMemoryStore s3 = InMemoryStore.s3Versioned("photos-backup");
    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");
    private final BufferBudget budget = new BufferBudget(16 * PART, PART);
    private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);

    private ReplicationPipeline pipeline(DeletePolicy deletes) {
        ReplicationRule rule = rule().deletes(deletes).build();
        return new ReplicationPipeline(RuleSet.of(List.of(rule)), this::store,
                new CopySettings(PART, 3, 2, 16 * PART, S3ToAzureMode.STREAM), budget, clock);
    }

    private ObjectStore store(StoreKind kind, String account, String container) {
        return kind == StoreKind.S3 ? s3 : azure;
    }

    /** ObjectRemoved:Delete naming one version, as S3 delivers it to SQS for DeleteObject with a versionId. */
    private static ReplicationEvent versionDeleted(String key, String versionId, String sequencer) {
        String body = """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1",
                  "eventTime":"2025-06-01T00:00:00.000Z","eventName":"ObjectRemoved:Delete",
                  "responseElements":{"x-amz-request-id":"E5F35BA70FA6EA33"},
                  "s3":{"s3SchemaVersion":"1.0","configurationId":"skyferry",
                    "bucket":{"name":"photos-backup","arn":"arn:aws:s3:::photos-backup"},
                    "object":{"key":"%s","versionId":"%s","sequencer":"%s"}}}]}"""
                .formatted(key, versionId, sequencer);
        ParsedMessage.Item item = new EventParser().parseSqsMessage(body).items().getFirst();
        ReplicationEvent event = ((ParsedMessage.Accepted) item).event();
        assertThat(event.kind()).isEqualTo(EventKind.DELETED);
        return event;
    }

    private static ReplicationEvent deleteMarkerCreated(String key, String markerVersionId, String sequencer) {
        ReplicationEvent plain = deleted(InMemoryStore.s3("photos-backup"), key, sequencer);
        return new ReplicationEvent(plain.source(), plain.account(), plain.container(), key, EventKind.DELETED, null, null,
                markerVersionId, sequencer, plain.eventTime(), plain.eventId(), "ObjectRemoved:DeleteMarkerCreated",
                null, null);
    }

    private String replicaContent() {
        return new String(azure.contentOf("a.txt"));
    }

    @Test
    void deletingAnOldVersionKeepsTheReplicaOfTheCurrentOneWithoutCopyingIt() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.PROPAGATE);
        ObjectInfo first = s3.seed("a.txt", "first");
        ObjectInfo second = s3.seed("a.txt", "second");
        assertThat(pipeline.process(created(s3, second, "0B"))).isInstanceOf(Outcome.Replicated.class);
        s3.deleteVersion("a.txt", first.versionId());
        s3.resetRequestCounts();
        azure.resetRequestCounts();

        Outcome outcome = pipeline.process(versionDeleted("a.txt", first.versionId(), "0C"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(replicaContent()).isEqualTo("second");
        // A look at the source key, then what a duplicate event of the current version costs: the GET, the
        // put refused under If-None-Match and the HEAD of the target that finds the same version there.
        assertThat(s3.requestSummary()).isEqualTo(Map.of(Op.STAT, 1, Op.OPEN, 1));
        assertThat(azure.requestSummary()).isEqualTo(Map.of(Op.PUT, 1, Op.STAT, 1));
    }

    @Test
    void deletingAnOldVersionDoesNotTombstoneTheReplicaOfTheCurrentOne() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.TOMBSTONE);
        ObjectInfo first = s3.seed("a.txt", "first");
        ObjectInfo second = s3.seed("a.txt", "second");
        pipeline.process(created(s3, second, "0B"));
        s3.deleteVersion("a.txt", first.versionId());

        pipeline.process(versionDeleted("a.txt", first.versionId(), "0C"));

        assertThat(azure.infoOf("a.txt").attributes().userMetadata()).doesNotContainKey(Provenance.SOURCE_DELETED_AT);
        assertThat(replicaContent()).isEqualTo("second");
    }

    @Test
    void deletingTheCurrentVersionTakesTheReplicaBackToTheVersionNowCurrent() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.PROPAGATE);
        ObjectInfo first = s3.seed("a.txt", "first");
        ObjectInfo second = s3.seed("a.txt", "second");
        pipeline.process(created(s3, second, "0B"));
        s3.deleteVersion("a.txt", second.versionId());

        Outcome outcome = pipeline.process(versionDeleted("a.txt", second.versionId(), "0C"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(replicaContent()).isEqualTo("first");
        assertThat(azure.infoOf("a.txt").attributes().userMetadata())
                .containsEntry(Provenance.SOURCE_VERSION, first.versionId())
                .containsEntry(Provenance.SOURCE_SEQUENCER, "0C");
    }

    @Test
    void removingADeleteMarkerBringsAPropagatedDeleteBack() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.PROPAGATE);
        ObjectInfo first = s3.seed("a.txt", "first");
        pipeline.process(created(s3, first, "0A"));
        s3.delete("a.txt", Precondition.NONE);
        assertThat(pipeline.process(deleteMarkerCreated("a.txt", "marker-1", "0B")))
                .isInstanceOfSatisfying(Outcome.Replicated.class, r -> assertThat(r.action()).isEqualTo("deleted"));

        s3.removeDeleteMarker("a.txt");
        Outcome outcome = pipeline.process(versionDeleted("a.txt", "marker-1", "0C"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(replicaContent()).isEqualTo("first");
    }

    @Test
    void removingADeleteMarkerLiftsTheTombstone() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.TOMBSTONE);
        ObjectInfo first = s3.seed("a.txt", "first");
        pipeline.process(created(s3, first, "0A"));
        s3.delete("a.txt", Precondition.NONE);
        pipeline.process(deleteMarkerCreated("a.txt", "marker-1", "0B"));
        assertThat(azure.infoOf("a.txt").attributes().userMetadata()).containsKey(Provenance.SOURCE_DELETED_AT);

        s3.removeDeleteMarker("a.txt");
        Outcome outcome = pipeline.process(versionDeleted("a.txt", "marker-1", "0C"));

        assertThat(outcome).isInstanceOf(Outcome.Replicated.class);
        assertThat(azure.infoOf("a.txt").attributes().userMetadata())
                .doesNotContainKey(Provenance.SOURCE_DELETED_AT)
                .containsEntry(Provenance.SOURCE_VERSION, first.versionId());
    }

    @Test
    void aDeleteMarkerStillDeletesTheReplica() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.PROPAGATE);
        ObjectInfo first = s3.seed("a.txt", "first");
        pipeline.process(created(s3, first, "0A"));
        s3.delete("a.txt", Precondition.NONE);

        Outcome outcome = pipeline.process(deleteMarkerCreated("a.txt", "marker-1", "0B"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> assertThat(r.action()).isEqualTo("deleted"));
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void aDeleteIgnoredByTheRuleDoesNotLookAtTheSource() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.IGNORE);
        ObjectInfo first = s3.seed("a.txt", "first");
        s3.seed("a.txt", "second");
        s3.resetRequestCounts();

        Outcome outcome = pipeline.process(versionDeleted("a.txt", first.versionId(), "0C"));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.DELETE_IGNORED);
        assertThat(s3.requestSummary()).isEqualTo(Map.of());
    }

    @Test
    void aCreateHandledAfterItsKeyWasDeletedDoesNotBringTheReplicaBack() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.PROPAGATE);
        ObjectInfo first = s3.seed("a.txt", "first");
        ReplicationEvent create = created(s3, first, "0A");
        s3.delete("a.txt", Precondition.NONE);
        // The create's first delivery failed transiently; the delete (a marker) is handled before its redelivery.
        pipeline.process(deleteMarkerCreated("a.txt", "marker-1", "0B"));

        Outcome late = pipeline.process(create);

        assertThat(late.reasonCode()).isEqualTo(ReasonCodes.SOURCE_GONE);
        assertThat(azure.keys()).isEmpty();
    }

    @Test
    void aReplayedEventOfAnOlderVersionDoesNotReplaceTheReplicaOfTheCurrentOne() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.IGNORE);
        ObjectInfo first = s3.seed("a.txt", "first");
        ReplicationEvent deadLettered = created(s3, first, "0A");
        ObjectInfo second = s3.seed("a.txt", "second");
        // backfill builds its events from a listing: no sequencer, no version id
        ReplicationEvent listed = new ReplicationEvent(StoreKind.S3, null, "photos-backup", "a.txt", EventKind.CREATED,
                second.etag(), second.size(), null, null, second.lastModified(), "backfill:1", "ObjectCreated:Put", null,
                "arn:aws:s3:::photos-backup");
        assertThat(pipeline.process(listed)).isInstanceOf(Outcome.Replicated.class);

        Outcome replayed = pipeline.process(deadLettered);

        assertThat(replayed.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(replicaContent()).isEqualTo("second");
    }

    @Test
    void anEventOfTheCurrentVersionAlreadyReplicatedIsSkippedByItsVersion() {
        ReplicationPipeline pipeline = pipeline(DeletePolicy.IGNORE);
        ObjectInfo first = s3.seed("a.txt", "first");
        pipeline.process(created(s3, first, "0A"));

        // The same version under a sequencer the replica does not carry (a replica written by backfill, say).
        Outcome duplicate = pipeline.process(created(s3, first, "0B"));

        assertThat(duplicate.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(azure.infoOf("a.txt").attributes().userMetadata()).containsEntry(Provenance.SOURCE_SEQUENCER, "0A");
    }
}
