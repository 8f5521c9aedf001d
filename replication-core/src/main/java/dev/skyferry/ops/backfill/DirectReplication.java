package dev.skyferry.ops.backfill;

import dev.skyferry.ack.Outcome;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.diff.Verdict;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.StoreKind;
import java.util.UUID;

/**
 * {@code backfill --direct}: replicates each object through the same {@link EventProcessor} the
 * worker uses, so rules, provenance, loop markers, verification and stale protection are exactly
 * the worker's. Each object becomes the event its creation would have produced, without a
 * sequencer (a listing has none); the pipeline then compares ETags instead.
 */
public final class DirectReplication implements BackfillAction {

    private final EventProcessor processor;

    public DirectReplication(EventProcessor processor) {
        this.processor = processor;
    }

    @Override
    public String describe() {
        return "copy in this process";
    }

    /** The pipeline plans from a HEAD of the target and skips echoes of replicas from the source's metadata. */
    @Override
    public boolean confirmsItself() {
        return true;
    }

    @Override
    public Result apply(SyncPair pair, Verdict verdict) {
        ReplicationEvent event = eventFor(pair, verdict.source());
        Outcome outcome = processor.process(event);
        return switch (outcome) {
            case Outcome.Replicated r -> new Result(true, "replicated", r.action(), r.bytes());
            case Outcome.Skipped s -> new Result(true, "skipped:" + s.reason(), s.detail(), 0);
            case Outcome.Retry r -> new Result(false, "failed:" + r.reason(), r.detail(), 0);
            case Outcome.DeadLetter d -> new Result(false, "failed:" + d.reason(), d.detail(), 0);
        };
    }

    /** The event a fresh write of this object would have produced. */
    static ReplicationEvent eventFor(SyncPair pair, ObjectInfo object) {
        boolean azure = pair.sourceKind() == StoreKind.AZURE_BLOB;
        return new ReplicationEvent(
                pair.sourceKind(),
                pair.source().account(),
                pair.source().container(),
                object.key(),
                ReplicationEvent.EventKind.CREATED,
                object.etag(),
                object.size(),
                object.versionId(),
                null,
                object.lastModified(),
                "backfill:" + UUID.randomUUID(),
                azure ? "PutBlob" : "ObjectCreated:Put",
                // Routing checks an Azure event's data.url against the rule's account endpoint.
                azure ? pair.source().uriOf(object.key()).toString() : null,
                azure ? null : "arn:aws:s3:::" + pair.source().container());
    }
}
