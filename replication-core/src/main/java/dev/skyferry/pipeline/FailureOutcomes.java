package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.StoreException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.function.Predicate;

/**
 * Turns a failure into the outcome the queue acts on. Named engine failures keep their reason;
 * store failures are retried or dead-lettered as {@link FailureClassifier} decides, with the store's
 * failure kind as the reason ({@code throttled}, {@code forbidden}, ...); a failure caused by the
 * thread being interrupted is always a retry with reason {@code interrupted}, and one caused by running
 * out of memory a retry with reason {@code out-of-memory}. Anything else unexpected is a bug:
 * {@code internal-error}, dead-lettered.
 */
final class FailureOutcomes {

    private FailureOutcomes() {}

    /** @param subject what was being replicated, for the detail: a task's or an event's description */
    static Outcome interrupted(String subject) {
        return new Outcome.Retry(ReasonCodes.INTERRUPTED, subject + ": shutting down; writes in progress were aborted", null);
    }

    /** @param subject what was being replicated, for the detail: a task's or an event's description */
    static Outcome of(String subject, Throwable failure) {
        String where = subject + ": ";
        if (Thread.currentThread().isInterrupted() || causedByInterrupt(failure)) {
            return new Outcome.Retry(ReasonCodes.INTERRUPTED, where + "interrupted: " + failure.getMessage(), failure);
        }
        if (anyCause(failure, OutOfMemoryError.class::isInstance)) {
            // The heap (or Netty's direct memory) ran short under this worker's load, not because of
            // this object: redelivered, it is copied again, perhaps by a worker with memory to spare.
            return new Outcome.Retry(ReasonCodes.OUT_OF_MEMORY, where + failure, failure);
        }
        if (failure instanceof ReplicationFailure named) {
            return named.isTransient()
                    ? new Outcome.Retry(named.reason(), named.detail(), named)
                    : new Outcome.DeadLetter(named.reason(), named.detail(), named);
        }
        if (failure instanceof StoreException store) {
            if (store.containerMissing()) {
                return new Outcome.DeadLetter(ReasonCodes.CONTAINER_NOT_FOUND, where + store.getMessage(), store);
            }
            String reason = store.kind().reason();
            return FailureClassifier.isTransient(store)
                    ? new Outcome.Retry(reason, where + store.getMessage(), store)
                    : new Outcome.DeadLetter(reason, where + store.getMessage(), store);
        }
        if (FailureClassifier.isTransient(failure)) {
            return new Outcome.Retry(ReasonCodes.IO_ERROR, where + failure.getMessage(), failure);
        }
        return new Outcome.DeadLetter(ReasonCodes.INTERNAL_ERROR, where + failure, failure);
    }

    private static boolean causedByInterrupt(Throwable failure) {
        return anyCause(failure, t -> t instanceof InterruptedException
                // A socket timeout is an InterruptedIOException too, but nobody interrupted anything.
                || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))
                || t instanceof ClosedByInterruptException);
    }

    /** Whether {@code failure} or any of its causes passes {@code test}: SDKs wrap what went wrong. */
    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }
}
