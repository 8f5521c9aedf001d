package dev.skyferry.worker;

/** The {@code outcome} label of {@code skyferry_events_total}: what finally happened to one event. */
public enum EventOutcome {
    REPLICATED("replicated"),
    SKIPPED("skipped"),
    /** Its message was released to be delivered again later. */
    RETRIED("retried"),
    DEAD_LETTERED("dead_lettered");

    private final String label;

    EventOutcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
