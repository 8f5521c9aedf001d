package dev.skyferry.ack;

import java.util.List;

/**
 * What happens to one queue message, decided from the outcomes of all the events it carried. A
 * message is one unit on the queue: it is deleted, released or dead-lettered as a whole, and only
 * once every one of its events has settled.
 *
 * <ul>
 *   <li>any {@link Outcome.Retry} → {@link Release} the whole message (the first retry's reason);</li>
 *   <li>otherwise any {@link Outcome.DeadLetter} → {@link DeadLetter} (the first one's reason);</li>
 *   <li>otherwise (all replicated or skipped, or no events at all) → {@link Delete}.</li>
 * </ul>
 * Retry wins over dead-letter: a permanent failure fails again on every delivery, so releasing loses
 * nothing, while dead-lettering would take the transient event's automatic retry away. Once the
 * transient part has succeeded, the next delivery dead-letters the message with the permanent reason.
 * Events already replicated in an earlier delivery come out as no-ops (the engine skips replicas that
 * already match), so redelivering a whole message is safe.
 */
public sealed interface MessageVerdict {

    /** Every event settled for good: delete the message. */
    record Delete() implements MessageVerdict {}

    /** Some event should be tried again later: release the message with a delay. */
    record Release(Outcome.Retry because) implements MessageVerdict {}

    /** Some event failed for good: move the message to the dead-letter queue. */
    record DeadLetter(Outcome.DeadLetter because) implements MessageVerdict {}

    static MessageVerdict of(List<? extends Outcome> outcomes) {
        Outcome.DeadLetter firstDeadLetter = null;
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Outcome.Retry retry) {
                return new Release(retry);
            }
            if (outcome instanceof Outcome.DeadLetter deadLetter && firstDeadLetter == null) {
                firstDeadLetter = deadLetter;
            }
        }
        return firstDeadLetter != null ? new DeadLetter(firstDeadLetter) : new Delete();
    }
}
