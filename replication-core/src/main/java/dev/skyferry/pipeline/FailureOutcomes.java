package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.StoreException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Turns a failure into the outcome the queue acts on. Named engine failures keep their reason;
 * store failures are retried or dead-lettered as {@link FailureClassifier} decides, with the store's
 * failure kind as the reason ({@code throttled}, {@code forbidden}, ...); a failure caused by the
 * thread being interrupted is always a retry with reason {@code interrupted}.
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
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // A socket timeout is an InterruptedIOException too, but nobody interrupted anything.
            boolean interruptedIo = t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException);
            if (t instanceof InterruptedException || interruptedIo || t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }
}
