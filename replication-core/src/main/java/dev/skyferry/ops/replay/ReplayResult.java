package dev.skyferry.ops.replay;

import dev.skyferry.ops.replay.ReplayRecord.Action;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counts of one replay run.
 *
 * @param counts       letters per action
 * @param limitReached the run stopped because {@code --limit} letters were taken
 * @param stoppedEarly why the run stopped before the source was exhausted (interrupted, too many
 *                     failures in a row, a changed blob); null when it ran to the end or the limit
 */
public record ReplayResult(Map<Action, Long> counts, boolean limitReached, String stoppedEarly) {

    public ReplayResult {
        EnumMap<Action, Long> all = new EnumMap<>(Action.class);
        for (Action action : Action.values()) {
            all.put(action, counts.getOrDefault(action, 0L));
        }
        counts = Map.copyOf(all);
    }

    public long count(Action action) {
        return counts.get(action);
    }

    /** True when nothing went wrong: no failure, nothing unreadable, every delivered letter removed, not stopped early. */
    public boolean clean() {
        return count(Action.FAILED) == 0 && count(Action.UNREADABLE) == 0
                && count(Action.REPLAYED_NOT_REMOVED) == 0 && stoppedEarly == null;
    }
}
