package dev.skyferry.plan;

import dev.skyferry.store.Precondition;
import java.util.Map;

/** What to do about one event, decided from the event, the rule and one look at the target. */
public sealed interface Plan {

    /**
     * Copy the source object to the target.
     *
     * @param targetCondition       {@link Precondition.IfAbsent} when the target does not exist,
     *                              {@link Precondition.IfMatch} with the target's ETag when overwriting, so a
     *                              racing worker's newer write is never overwritten with older bytes
     * @param onlyIfSourceIsCurrent the target holds a replica of another version of this source and no
     *                              sequencer says which is newer (a backfill's events carry none): that
     *                              replica may come from a worker that read the source after this copy did.
     *                              The copy goes ahead only while the version it read is still the source's
     *                              current one, looked at after the target was
     */
    record Copy(Precondition targetCondition, boolean onlyIfSourceIsCurrent) implements Plan {

        /** A copy no other version of the source can be newer than: the target is absent, older, or not a replica of it. */
        public Copy(Precondition targetCondition) {
            this(targetCondition, false);
        }
    }

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
