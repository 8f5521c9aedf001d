package dev.skyferry.ops.backfill;

import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.diff.Verdict;

/**
 * What backfill does with an object whose replica is missing or different: copy it in this process
 * ({@link DirectReplication}) or put a synthetic event on the worker's queue ({@link EnqueueReplication}).
 * Called from several threads at once.
 */
public interface BackfillAction {

    /** For reports: "copy in this process", "enqueue to sqs https://…". */
    String describe();

    /**
     * True when the action itself HEADs the target and reads the source's replica marker before
     * copying (the in-process pipeline does), so backfill need not confirm what the listings say.
     */
    default boolean confirmsItself() {
        return false;
    }

    /** Handles one object; never throws for a failure of that object alone. */
    Result apply(SyncPair pair, Verdict verdict);

    /**
     * @param done   true when the object is handled for good (copied, enqueued, or deliberately
     *               skipped); false to retry it in the next run
     * @param label  short outcome code for counts ("replicated", "enqueued", "skipped:echo-of-replica")
     * @param detail in words
     * @param bytes  bytes copied or to be copied
     */
    record Result(boolean done, String label, String detail, long bytes) {}
}
