package dev.skyferry.ops.replay;

import java.util.List;
import java.util.OptionalLong;

/**
 * Where dead letters wait: an SQS dead-letter queue, an Azure poison queue, or an Event Grid
 * dead-letter container. The {@link Replayer} takes batches, and for every letter calls exactly one
 * of {@link #remove} (it was delivered again) or {@link #keep} (filtered out, dry run, or failed).
 *
 * <p>Kept queue messages stay invisible until {@link #close()} releases them, so one run never sees
 * the same message twice; a crash instead of a close only delays them by the visibility timeout.
 */
public interface DeadLetterSource extends AutoCloseable {

    /** For reports: {@code sqs https://…/skyferry-events-dlq}. */
    String describe();

    /** How many dead letters wait, for the progress total; empty when the source cannot tell cheaply. */
    OptionalLong approximateCount();

    /** The next batch; a batch with no letters and nothing unreadable means the source is exhausted. */
    Batch next();

    /** The letter was delivered again: delete it here. Called only after the destination accepted it. */
    void remove(DeadLetter letter);

    /** The letter stays where it is. */
    void keep(DeadLetter letter);

    /** Every letter of the last batch has been removed or kept (Event Grid: delete or rewrite the blob). */
    default void batchDone() {}

    /** Releases kept messages so that others see them at once. */
    @Override
    void close();

    /** @param unreadable dead letters that could not be read at all; they stay where they are */
    record Batch(List<DeadLetter> letters, List<Unreadable> unreadable) {
        public static final Batch EMPTY = new Batch(List.of(), List.of());

        public Batch {
            letters = List.copyOf(letters);
            unreadable = List.copyOf(unreadable);
        }

        public boolean isEmpty() {
            return letters.isEmpty() && unreadable.isEmpty();
        }
    }

    record Unreadable(String id, String reason) {}
}
