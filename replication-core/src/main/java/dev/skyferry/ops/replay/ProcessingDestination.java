package dev.skyferry.ops.replay;

import dev.skyferry.ack.Outcome;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.pipeline.EventProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code replay --process}: runs every event of a dead letter through the pipeline in this process
 * instead of re-enqueueing it. The dead letter counts as delivered only when every event was
 * replicated or deliberately skipped; otherwise it stays, and a later run handles it whole again
 * (the pipeline finds already-replicated events up to date).
 */
public final class ProcessingDestination implements ReplayDestination {

    private final EventProcessor processor;

    public ProcessingDestination(EventProcessor processor) {
        this.processor = processor;
    }

    @Override
    public String describe() {
        return "the replication pipeline, in this process";
    }

    @Override
    public boolean accepts(DeadLetter.QueueFamily family) {
        return true;
    }

    @Override
    public Delivery deliver(DeadLetter letter, ParsedMessage parsed) {
        int replicated = 0;
        int skipped = 0;
        List<String> problems = new ArrayList<>();
        for (ParsedMessage.Item item : parsed.items()) {
            switch (item) {
                case ParsedMessage.Accepted accepted -> {
                    Outcome outcome = processor.process(accepted.event());
                    switch (outcome) {
                        case Outcome.Replicated r -> replicated++;
                        case Outcome.Skipped s -> skipped++;
                        case Outcome.Retry r -> problems.add(accepted.event().describe() + ": " + r.reason()
                                + (r.detail() == null ? "" : " (" + r.detail() + ")"));
                        case Outcome.DeadLetter d -> problems.add(accepted.event().describe() + ": " + d.reason()
                                + (d.detail() == null ? "" : " (" + d.detail() + ")"));
                    }
                }
                case ParsedMessage.Ignored ignored -> skipped++;
                case ParsedMessage.Failed failed -> problems.add("unreadable: " + failed.reason());
            }
            if (Thread.currentThread().isInterrupted()) {
                problems.add("interrupted");
                break;
            }
        }
        if (!problems.isEmpty()) {
            return new Delivery.Rejected(String.join("; ", problems));
        }
        return new Delivery.Accepted("replicated " + replicated + ", skipped " + skipped);
    }
}
