package dev.skyferry.plan;

/**
 * A failure the engine recognised and named: a reason code from {@link ReasonCodes}, a detail for
 * the operator, and whether redelivery may help. Thrown from deep inside a copy so that the writes in
 * progress are aborted on the way out; the pipeline turns it into a Retry or DeadLetter outcome.
 */
public final class ReplicationFailure extends RuntimeException {

    private final String reason;
    private final boolean transientFailure;

    private ReplicationFailure(String reason, String detail, boolean transientFailure, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
        this.transientFailure = transientFailure;
    }

    /** A failure no retry will fix: the message is dead-lettered. */
    public static ReplicationFailure permanent(String reason, String detail) {
        return new ReplicationFailure(reason, detail, false, null);
    }

    public static ReplicationFailure permanent(String reason, String detail, Throwable cause) {
        return new ReplicationFailure(reason, detail, false, cause);
    }

    /** A failure that may pass on redelivery. */
    public static ReplicationFailure transientFailure(String reason, String detail) {
        return new ReplicationFailure(reason, detail, true, null);
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
