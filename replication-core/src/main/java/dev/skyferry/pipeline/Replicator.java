package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopyMetrics;
import dev.skyferry.copy.CopyResult;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.copy.ObjectCopier;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.plan.PendingPlan;
import dev.skyferry.plan.Plan;
import dev.skyferry.plan.Planner;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.verify.ReplicaVerifier;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * The engine for one routed event: plan → copy → verify → outcome (or plan → delete / tombstone). For a
 * created object the write goes first under If-None-Match where the target enforces it; elsewhere the
 * plan's HEAD of the target and the copier's GET of the source run at the same time.
 * Never throws: every failure becomes an {@link Outcome} through {@link FailureOutcomes}.
 */
public final class Replicator {

    private final Planner planner;
    private final ObjectCopier copier;
    private final ReplicaVerifier verifier;
    private final InstantSource clock;

    public Replicator(CopySettings settings, BufferBudget budget, InstantSource clock, CopyMetrics metrics) {
        this.planner = new Planner(clock);
        this.copier = new ObjectCopier(settings, budget, metrics);
        this.verifier = new ReplicaVerifier();
        this.clock = clock;
    }

    public Outcome replicate(ReplicationTask task) {
        Instant started = clock.instant();
        // Every line logged while this task runs (retries, aborts, part uploads) names where it writes.
        MDC.put("target", task.target().uriOf(task.targetKey()).toString());
        try {
            if (task.event().kind() == ReplicationEvent.EventKind.CREATED) {
                return replicateCreated(task, started);
            }
            Optional<ObjectInfo> stillThere = sourceStillThere(task);
            if (stillThere.isPresent()) {
                ObjectInfo current = stillThere.get();
                if (task.event().versionId() == null) {
                    return new Outcome.Skipped(ReasonCodes.STALE_EVENT, task.describe() + ": the source is there (ETag "
                            + current.etag() + "): written again since the delete, its own event replicates it");
                }
                return replicateCreated(task.withEvent(
                        task.event().asCreatedOf(current.etag(), current.size(), current.versionId())), started);
            }
            Plan plan = planner.plan(task);
            return switch (plan) {
                case Plan.Skip skip -> new Outcome.Skipped(skip.reason(), task.describe() + ": " + skip.detail());
                case Plan.Copy copy -> copyAndVerify(task, PendingPlan.of(copy), started);
                case Plan.DeleteReplica delete -> deleteReplica(task, delete, started);
                case Plan.Tombstone tombstone -> tombstone(task, tombstone, started);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FailureOutcomes.interrupted(task.describe());
        } catch (RuntimeException | Error e) {
            return FailureOutcomes.of(task.describe(), e);
        } finally {
            MDC.remove("target");
        }
    }

    private Outcome replicateCreated(ReplicationTask task, Instant started) throws InterruptedException {
        PendingPlan plan = task.target().enforcesConditionalWrites()
                // The write's own If-None-Match guards the target: a new object needs no look at it.
                ? PendingPlan.assumingAbsent(() -> planner.plan(task))
                // Only a look guards it: the target's HEAD runs while the copier opens the source,
                // and the copier waits for it before writing.
                : PendingPlan.start(() -> planner.plan(task));
        try {
            return copyAndVerify(task, plan, started);
        } finally {
            plan.cancel();
        }
    }

    /**
     * A replica is deleted or tombstoned only while its source is gone: one HEAD of the source first. An
     * object written again since the delete keeps its replica (its own event replicates it), and so does
     * one a forged or misrouted delete event names. A delete that names an S3 version removed that
     * version, not necessarily the key (an old version cleaned up, a delete marker removed, the current
     * version deleted so the one below is current): while the key has a current version, the replica
     * follows it, as no other event would bring it.
     */
    private static Optional<ObjectInfo> sourceStillThere(ReplicationTask task) {
        if (task.deletePolicy() == DeletePolicy.IGNORE) {
            return Optional.empty();
        }
        return task.source().stat(task.sourceKey());
    }

    private Outcome copyAndVerify(ReplicationTask task, PendingPlan plan, Instant started) throws InterruptedException {
        CopyResult result = copier.copy(task, plan);
        return switch (result) {
            case CopyResult.NotCopied notCopied -> new Outcome.Skipped(notCopied.reason(), notCopied.detail());
            case CopyResult.Copied copied -> {
                verifier.verify(task.target(), copied.replica());
                yield replicated(task, copied.action(), copied.bytes(), started);
            }
        };
    }

    private Outcome deleteReplica(ReplicationTask task, Plan.DeleteReplica plan, Instant started) {
        try {
            task.target().delete(task.targetKey(), Precondition.ifMatch(plan.targetEtag()));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return new Outcome.Skipped(ReasonCodes.ALREADY_DELETED, task.describe() + ": the replica is already gone");
            }
            throw targetChangedOr(task, e);
        }
        return replicated(task, "deleted", 0, started);
    }

    private Outcome tombstone(ReplicationTask task, Plan.Tombstone plan, Instant started) {
        try {
            task.target().replaceMetadata(task.targetKey(), plan.metadata(), Precondition.ifMatch(plan.targetEtag()));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return new Outcome.Skipped(ReasonCodes.ALREADY_DELETED, task.describe() + ": the replica is already gone");
            }
            throw targetChangedOr(task, e);
        }
        return replicated(task, "tombstoned", 0, started);
    }

    private static RuntimeException targetChangedOr(ReplicationTask task, StoreException e) {
        if (e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
            return ReplicationFailure.transientFailure(ReasonCodes.TARGET_CHANGED,
                    task.target().uriOf(task.targetKey()) + " changed since it was planned (" + e.getMessage() + ")");
        }
        return e;
    }

    private Outcome.Replicated replicated(ReplicationTask task, String action, long bytes, Instant started) {
        return new Outcome.Replicated(action, bytes, Duration.between(started, clock.instant()),
                task.target().uriOf(task.targetKey()));
    }
}
