package dev.skyferry.plan;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.deleted;
import static dev.skyferry.plan.TaskFixtures.rule;
import static dev.skyferry.plan.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.Precondition;
import dev.skyferry.testkit.InMemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

    private final InMemoryStore source = InMemoryStore.s3("photos-backup");
    private final InMemoryStore target = InMemoryStore.azure("acct", "photos");
    private final Planner planner = new Planner(Clock.fixed(NOW, ZoneOffset.UTC));
    private final ReplicationRule rule = rule().build();

    @Test
    void copiesOnlyIfAbsentWhenTheTargetDoesNotExist() {
        ObjectInfo info = source.seed("a.txt", "hello");

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(plan).isEqualTo(new Plan.Copy(Precondition.IF_ABSENT));
        assertThat(target.requests(InMemoryStore.Op.STAT)).isEqualTo(1);
    }

    @Test
    void overwritesAnObjectSkyferryDidNotWriteOnlyWhileItKeepsItsEtag() {
        ObjectInfo info = source.seed("a.txt", "hello");
        ObjectInfo existing = target.seed("a.txt", "someone else's");

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(plan).isEqualTo(new Plan.Copy(new Precondition.IfMatch(existing.etag())));
    }

    @Test
    void skipsAsAlreadyReplicatedWhenTheReplicaHasTheEventsSequencer() {
        ObjectInfo info = source.seed("a.txt", "hello");
        seedReplica("a.txt", info.etag(), "0A");

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(plan).isInstanceOf(Plan.Skip.class);
        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
    }

    @Test
    void skipsAReplicaOfTheEventsVersionButNeverByS3sNullVersionWhichEveryWriteReplaces() {
        ObjectInfo info = source.seed("a.txt", "new bytes");
        for (String version : List.of("v7", ReplicationEvent.S3_NULL_VERSION)) {
            Map<String, String> metadata = replicaMetadata(source.uriOf("a.txt").toASCIIString(), "old-etag", null);
            metadata.put(Provenance.SOURCE_VERSION, version);
            ObjectInfo replica = target.seed("a.txt", "old bytes".getBytes(), ObjectAttributes.NONE.withUserMetadata(metadata));
            ReplicationEvent event = created(source, info, null);
            ReplicationEvent ofVersion = new ReplicationEvent(event.source(), event.account(), event.container(), event.key(),
                    event.kind(), event.etag(), event.size(), version, null, event.eventTime(), event.eventId(), event.api(),
                    event.url(), event.topic());

            Plan plan = planner.plan(task(ofVersion, rule, source, target));

            assertThat(plan).as(version).isEqualTo(version.equals("v7")
                    ? new Plan.Skip(ReasonCodes.ALREADY_REPLICATED, "target holds a replica of version v7")
                    : new Plan.Copy(new Precondition.IfMatch(replica.etag()), true));
        }
    }

    @Test
    void overwritesAReplicaOfAnotherVersionThatNoSequencerOrdersOnlyIfTheSourceIsStillTheVersionCopied() {
        ObjectInfo info = source.seed("a.txt", "hello");
        ObjectInfo replicaOfALiveEvent = seedReplica("a.txt", "other-etag", "0B");

        Plan backfill = planner.plan(task(created(source, info, null), rule, source, target));

        assertThat(backfill).isEqualTo(new Plan.Copy(new Precondition.IfMatch(replicaOfALiveEvent.etag()), true));

        ObjectInfo backfilledReplica = seedReplica("a.txt", "other-etag", null);

        Plan live = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(live).isEqualTo(new Plan.Copy(new Precondition.IfMatch(backfilledReplica.etag()), true));
    }

    @Test
    void skipsAStaleEventWhenTheReplicaCameFromANewerSequencer() {
        ObjectInfo info = source.seed("a.txt", "old bytes");
        seedReplica("a.txt", "newer-etag", "0B");

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.STALE_EVENT);
        assertThat(((Plan.Skip) plan).detail()).contains("0B", "0A");
    }

    @Test
    void comparesSequencersLeftPaddedNotAsPlainStrings() {
        ObjectInfo info = source.seed("a.txt", "newer bytes");
        ObjectInfo replica = seedReplica("a.txt", "older-etag", "9");

        // "9" > "10" as strings, but 9 < 0x10: the event is newer and must be copied.
        Plan plan = planner.plan(task(created(source, info, "10"), rule, source, target));

        assertThat(plan).isEqualTo(new Plan.Copy(new Precondition.IfMatch(replica.etag())));
    }

    @Test
    void copiesANewerWriteEvenWhenTheEtagIsUnchanged() {
        // S3 keeps the ETag when only metadata changes (copy in place); the new metadata must travel.
        ObjectInfo info = source.seed("a.txt", "same bytes");
        ObjectInfo replica = seedReplica("a.txt", info.etag(), "0A");

        Plan plan = planner.plan(task(created(source, info, "0B"), rule, source, target));

        assertThat(plan).isEqualTo(new Plan.Copy(new Precondition.IfMatch(replica.etag())));
    }

    @Test
    void skipsAsAlreadyReplicatedOnEqualEtagWhenSequencersAreMissing() {
        ObjectInfo info = source.seed("a.txt", "hello");
        seedReplica("a.txt", info.etag(), null);

        Plan plan = planner.plan(task(created(source, info, null), rule, source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
    }

    @Test
    void neverComparesSequencersOfAReplicaOfAnotherObject() {
        ObjectInfo info = source.seed("a.txt", "hello");
        Map<String, String> provenance = replicaMetadata("s3://photos-backup/other.txt", "x", "FF");
        ObjectInfo replica = target.seed("a.txt", "bytes of other.txt".getBytes(),
                ObjectAttributes.NONE.withUserMetadata(provenance));

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(plan).isEqualTo(new Plan.Copy(new Precondition.IfMatch(replica.etag())));
    }

    @Test
    void ignoresDeletesWithoutLookingAtTheTarget() {
        seedReplica("a.txt", "etag", "0A");

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), rule, source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.DELETE_IGNORED);
        assertThat(target.totalRequests()).isZero();
    }

    @Test
    void treatsAnUnsetDeletePolicyAsIgnore() {
        seedReplica("a.txt", "etag", "0A");

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), rule().deletes(null).build(), source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.DELETE_IGNORED);
    }

    @Test
    void propagatesADeleteToOurReplicaWhileItKeepsItsEtag() {
        ObjectInfo replica = seedReplica("a.txt", "etag", "0A");

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), propagate(), source, target));

        assertThat(plan).isEqualTo(new Plan.DeleteReplica(replica.etag()));
    }

    @Test
    void neverPropagatesADeleteToAnObjectWithoutOurMarker() {
        target.seed("a.txt", "precious original");

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), propagate(), source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.TARGET_NOT_OURS);
    }

    @Test
    void neverPropagatesADeleteToAReplicaOfAnotherSource() {
        target.seed("a.txt", "x".getBytes(), ObjectAttributes.NONE.withUserMetadata(
                replicaMetadata("s3://elsewhere/a.txt", "etag", "0A")));

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), propagate(), source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.TARGET_NOT_OURS);
        assertThat(((Plan.Skip) plan).detail()).contains("s3://elsewhere/a.txt");
    }

    @Test
    void keepsAReplicaThatCameFromANewerSourceWriteThanTheDelete() {
        seedReplica("a.txt", "etag", "0C");

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), propagate(), source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.STALE_EVENT);
    }

    @Test
    void skipsADeleteWhoseReplicaIsAlreadyGone() {
        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), propagate(), source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.ALREADY_DELETED);
    }

    @Test
    void tombstonesOurReplicaWithTheEventTimeKeepingItsProvenance() {
        ObjectInfo replica = seedReplica("a.txt", "etag", "0A");
        ReplicationRule tombstone = rule().deletes(DeletePolicy.TOMBSTONE).build();

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), tombstone, source, target));

        assertThat(plan).isInstanceOf(Plan.Tombstone.class);
        Plan.Tombstone marked = (Plan.Tombstone) plan;
        assertThat(marked.targetEtag()).isEqualTo(replica.etag());
        assertThat(marked.metadata())
                .containsEntry(Provenance.SOURCE_DELETED_AT, TaskFixtures.EVENT_TIME.toString())
                .containsEntry(Provenance.REPLICA_MARKER, "1")
                .containsEntry(Provenance.SOURCE_SEQUENCER, "0A");
    }

    @Test
    void skipsATombstoneThatIsAlreadyThere() {
        Map<String, String> metadata = replicaMetadata(source.uriOf("a.txt").toASCIIString(), "etag", "0A");
        metadata.put(Provenance.SOURCE_DELETED_AT, "2025-01-01T00:00:00Z");
        target.seed("a.txt", "x".getBytes(), ObjectAttributes.NONE.withUserMetadata(metadata));
        ReplicationRule tombstone = rule().deletes(DeletePolicy.TOMBSTONE).build();

        Plan plan = planner.plan(task(deleted(source, "a.txt", "0B"), tombstone, source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.ALREADY_DELETED);
    }

    @Test
    void readsProvenanceNamesInAnyCase() {
        ObjectInfo info = source.seed("a.txt", "hello");
        Map<String, String> upper = new HashMap<>();
        replicaMetadata(source.uriOf("a.txt").toASCIIString(), info.etag(), "0A")
                .forEach((name, value) -> upper.put(name.toUpperCase(), value));
        target.seed("a.txt", "hello".getBytes(), ObjectAttributes.NONE.withUserMetadata(upper));

        Plan plan = planner.plan(task(created(source, info, "0A"), rule, source, target));

        assertThat(((Plan.Skip) plan).reason()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
    }

    private ReplicationRule propagate() {
        return rule().deletes(DeletePolicy.PROPAGATE).build();
    }

    private ObjectInfo seedReplica(String key, String sourceEtag, String sequencer) {
        return target.seed(key, "replica bytes".getBytes(), ObjectAttributes.NONE.withUserMetadata(
                replicaMetadata(source.uriOf(key).toASCIIString(), sourceEtag, sequencer)));
    }

    private static Map<String, String> replicaMetadata(String sourceUri, String sourceEtag, String sequencer) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(Provenance.REPLICA_MARKER, "1");
        metadata.put(Provenance.SOURCE_URI, sourceUri);
        metadata.put(Provenance.SOURCE_ETAG, sourceEtag);
        if (sequencer != null) {
            metadata.put(Provenance.SOURCE_SEQUENCER, sequencer);
        }
        return metadata;
    }
}
