package dev.skyferry.plan;

import dev.skyferry.store.Precondition;
import java.util.Map;

/** What to do about one event, decided from the event, the rule and one look at the target. */
public sealed interface Plan {

    /**
     * Copy the source object to the target.
     *
     * @param targetCondition {@link Precondition.IfAbsent} when the target does not exist,
     *                        {@link Precondition.IfMatch} with the target's ETag when overwriting, so a
     *                        racing worker's newer write is never overwritten with older bytes
     */
    record Copy(Precondition targetCondition) implements Plan {}

    /** Delete the replica, but only while it still has the ETag it had when planned. */
    record DeleteReplica(String targetEtag) implements Plan {}

    /** Replace the replica's metadata with {@code metadata} (which marks the source deletion). */
    record Tombstone(String targetEtag, Map<String, String> metadata) implements Plan {
        public Tombstone {
            metadata = Map.copyOf(metadata);
        }
    }

    /** Nothing to do; {@code reason} is one of {@link ReasonCodes}. */
    record Skip(String reason, String detail) implements Plan {}
}
