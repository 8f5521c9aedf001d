package dev.skyferry.ops.replay;

import dev.skyferry.event.ReplicationEvent;
import java.util.List;

/**
 * What replay did with one dead letter, for the per-letter listing.
 *
 * @param id     the dead letter's id
 * @param letter the dead letter; null for {@link Action#UNREADABLE}
 * @param events the events its body carries (empty when unreadable)
 * @param detail why (filtered out, failed) or what happened (sent as …)
 */
public record ReplayRecord(String id, DeadLetter letter, List<ReplicationEvent> events, Action action, String detail) {

    public enum Action {
        /** Delivered and removed from the dead letters. */
        REPLAYED("replayed"),
        /** Dry run: would have been delivered. */
        WOULD_REPLAY("would-replay"),
        /** Not selected by the filters; stays. */
        FILTERED_OUT("filtered-out"),
        /** Delivery failed; stays. */
        FAILED("failed"),
        /** Delivered, but removing it failed: it stays and the next run delivers it again (a duplicate, never a loss). */
        REPLAYED_NOT_REMOVED("replayed-not-removed"),
        /** Could not be read at all; stays. */
        UNREADABLE("unreadable");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public ReplayRecord {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
