package dev.skyferry.plan;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.Precondition;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what one event means for its target, from one HEAD of the target. Stale protection and
 * delete safety live here; loop prevention for created events needs the source's own metadata and
 * is decided by the copier from the GET it makes anyway (so no extra HEAD of the source).
 *
 * <p>A replica is "of this source" when its {@link Provenance#SOURCE_URI} names the event's object:
 * sequencers are only ever compared for the same key. Where the event or the replica has none, an ETag
 * that differs does not say which is newer: that copy is planned {@linkplain Plan.Copy#onlyIfSourceIsCurrent
 * only while the source is still the version copied}, which the copier checks.
 */
public final class Planner {

    private final InstantSource clock;

    public Planner(InstantSource clock) {
        this.clock = clock;
    }

    /** Plans the task, reading the target's current state with at most one HEAD. */
    public Plan plan(ReplicationTask task) {
        ReplicationEvent event = task.event();
        if (event.kind() == EventKind.DELETED && task.deletePolicy() == DeletePolicy.IGNORE) {
            return new Plan.Skip(ReasonCodes.DELETE_IGNORED,
                    "rule " + task.rule().name() + " keeps replicas when the source is deleted");
        }
        return decide(task, task.target().stat(task.targetKey()));
    }

    /** The decision itself, given the target's state; no requests. */
    public Plan decide(ReplicationTask task, Optional<ObjectInfo> target) {
        return task.event().kind() == EventKind.CREATED
                ? planCopy(task, target)
                : planDelete(task, target);
    }

    private Plan planCopy(ReplicationTask task, Optional<ObjectInfo> target) {
        if (target.isEmpty()) {
            return new Plan.Copy(Precondition.IF_ABSENT);
        }
        ObjectInfo current = target.get();
        Map<String, String> metadata = current.attributes().userMetadata();
        if (isReplicaOf(task, metadata)) {
            // An S3 version never changes (but for the "null" one): a live replica of the event's version is that version.
            String eventVersion = task.event().immutableVersionId();
            if (eventVersion != null && eventVersion.equals(Provenance.get(metadata, Provenance.SOURCE_VERSION))
                    && Provenance.get(metadata, Provenance.SOURCE_DELETED_AT) == null) {
                return new Plan.Skip(ReasonCodes.ALREADY_REPLICATED, "target holds a replica of version " + eventVersion);
            }
            String replicaSequencer = Provenance.get(metadata, Provenance.SOURCE_SEQUENCER);
            String eventSequencer = task.event().sequencer();
            if (replicaSequencer != null && eventSequencer != null) {
                int order = Sequencers.compare(replicaSequencer, eventSequencer);
                if (order > 0) {
                    return new Plan.Skip(ReasonCodes.STALE_EVENT, "target holds a replica of sequencer "
                            + replicaSequencer + ", newer than the event's " + eventSequencer);
                }
                if (order == 0) {
                    return new Plan.Skip(ReasonCodes.ALREADY_REPLICATED,
                            "target holds a replica of sequencer " + eventSequencer);
                }
                // Older replica: copy even when the ETags agree. S3 keeps the ETag when only the
                // metadata changes (copy-in-place), and that change must reach the replica too.
            } else if (sameEtag(Provenance.get(metadata, Provenance.SOURCE_ETAG), task.event().etag())) {
                return new Plan.Skip(ReasonCodes.ALREADY_REPLICATED,
                        "target holds a replica of etag " + task.event().etag());
            } else {
                // Another version, and nothing orders the two writes: only the source can say which is newer.
                return new Plan.Copy(Precondition.ifMatch(current.etag()), true);
            }
        }
        return new Plan.Copy(Precondition.ifMatch(current.etag()));
    }

    private Plan planDelete(ReplicationTask task, Optional<ObjectInfo> target) {
        if (target.isEmpty()) {
            return new Plan.Skip(ReasonCodes.ALREADY_DELETED, "no object at " + task.target().uriOf(task.targetKey()));
        }
        ObjectInfo current = target.get();
        Map<String, String> metadata = current.attributes().userMetadata();
        if (!Provenance.isReplica(metadata)) {
            return new Plan.Skip(ReasonCodes.TARGET_NOT_OURS,
                    "target has no " + Provenance.REPLICA_MARKER + " marker; Skyferry only deletes its own replicas");
        }
        if (!isReplicaOf(task, metadata)) {
            return new Plan.Skip(ReasonCodes.TARGET_NOT_OURS, "target is a replica of "
                    + Provenance.get(metadata, Provenance.SOURCE_URI) + ", not of " + task.sourceUriValue());
        }
        String replicaSequencer = Provenance.get(metadata, Provenance.SOURCE_SEQUENCER);
        String eventSequencer = task.event().sequencer();
        if (replicaSequencer != null && eventSequencer != null
                && Sequencers.compare(replicaSequencer, eventSequencer) > 0) {
            return new Plan.Skip(ReasonCodes.STALE_EVENT, "replica came from sequencer " + replicaSequencer
                    + ", newer than the delete's " + eventSequencer);
        }
        if (task.deletePolicy() == DeletePolicy.PROPAGATE) {
            return new Plan.DeleteReplica(current.etag());
        }
        String deletedAt = Provenance.get(metadata, Provenance.SOURCE_DELETED_AT);
        if (deletedAt != null) {
            return new Plan.Skip(ReasonCodes.ALREADY_DELETED, "replica already tombstoned at " + deletedAt);
        }
        Map<String, String> tombstoned = new HashMap<>(metadata);
        var when = task.event().eventTime() != null ? task.event().eventTime() : clock.instant();
        tombstoned.put(Provenance.SOURCE_DELETED_AT, when.toString());
        return new Plan.Tombstone(current.etag(), tombstoned);
    }

    private static boolean isReplicaOf(ReplicationTask task, Map<String, String> metadata) {
        return Provenance.isReplica(metadata)
                && task.sourceUriValue().equals(Provenance.get(metadata, Provenance.SOURCE_URI));
    }

    private static boolean sameEtag(String a, String b) {
        return a != null && b != null && unquote(a).equals(unquote(b));
    }

    private static String unquote(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1) : etag;
    }
}
