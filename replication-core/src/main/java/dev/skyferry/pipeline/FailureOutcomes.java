package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.plan.StoreFailures;
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

    static Outcome interrupted(ReplicationTask task) {
        return new Outcome.Retry(ReasonCodes.INTERRUPTED, describe(task) + "shutting down; writes in progress were aborted", null);
    }

    static Outcome of(ReplicationTask task, Throwable failure) {
        if (Thread.currentThread().isInterrupted() || causedByInterrupt(failure)) {
            return new Outcome.Retry(ReasonCodes.INTERRUPTED, describe(task) + "interrupted: " + failure.getMessage(), failure);
        }
        if (failure instanceof ReplicationFailure named) {
            return named.isTransient()
                    ? new Outcome.Retry(named.reason(), named.detail(), named)
                    : new Outcome.DeadLetter(named.reason(), named.detail(), named);
        }
        if (failure instanceof StoreException store) {
            if (StoreFailures.isMissingContainer(store)) {
                return new Outcome.DeadLetter(ReasonCodes.CONTAINER_NOT_FOUND, describe(task) + store.getMessage(), store);
            }
            String reason = StoreFailures.reasonCode(store);
            return FailureClassifier.isTransient(store)
                    ? new Outcome.Retry(reason, describe(task) + store.getMessage(), store)
                    : new Outcome.DeadLetter(reason, describe(task) + store.getMessage(), store);
        }
        if (FailureClassifier.isTransient(failure)) {
            return new Outcome.Retry(ReasonCodes.IO_ERROR, describe(task) + failure.getMessage(), failure);
        }
        return new Outcome.DeadLetter(ReasonCodes.INTERNAL_ERROR, describe(task) + failure, failure);
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

    private static String describe(ReplicationTask task) {
        return task == null ? "" : task.describe() + ": ";
    }
}
