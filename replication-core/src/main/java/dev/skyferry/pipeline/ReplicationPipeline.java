package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopyMetrics;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.rule.Route;
import dev.skyferry.rule.RouteDecision;
import dev.skyferry.rule.RuleSet;
import java.time.InstantSource;

/**
 * Skyferry's engine behind the worker: route → plan → copy → verify → outcome, for one event.
 *
 * <p>A rejection by the rules is final: {@code filtered} and {@code direction-disabled} are the
 * configuration doing its job (Skipped); {@code no-matching-rule}, {@code foreign-url} and
 * {@code unrepresentable-key} are events that should not have arrived or cannot be served, and are
 * dead-lettered for someone to look at. Nothing of a rejected event is ever read.
 */
public final class ReplicationPipeline implements EventProcessor {

    private final RuleSet rules;
    private final StoreLookup stores;
    private final Replicator replicator;

    public ReplicationPipeline(RuleSet rules, StoreLookup stores, CopySettings settings, BufferBudget budget,
                               InstantSource clock, CopyMetrics metrics) {
        this.rules = rules;
        this.stores = stores;
        this.replicator = new Replicator(settings, budget, clock, metrics);
    }

    public ReplicationPipeline(RuleSet rules, StoreLookup stores, CopySettings settings, BufferBudget budget,
                               InstantSource clock) {
        this(rules, stores, settings, budget, clock, CopyMetrics.NONE);
    }

    @Override
    public Outcome process(ReplicationEvent event) {
        try {
            return switch (rules.route(event)) {
                case RouteDecision.Rejected rejected -> rejected(event, rejected);
                case RouteDecision.Routed routed -> replicator.replicate(task(event, routed.route()));
            };
        } catch (RuntimeException | Error e) {
            return FailureOutcomes.of(event.describe(), e);
        }
    }

    private ReplicationTask task(ReplicationEvent event, Route route) {
        Route.Location source = route.source();
        Route.Location target = route.target();
        return new ReplicationTask(event, route.rule(),
                stores.store(source.store(), source.account(), source.container()),
                stores.store(target.store(), target.account(), target.container()),
                target.key());
    }

    private static Outcome rejected(ReplicationEvent event, RouteDecision.Rejected rejected) {
        String detail = event.describe() + ": " + rejected.reason();
        // A file moved into a replicated container from a place no rule covers left nothing to delete there.
        boolean movedInFromElsewhere = event.isRenamedAway() && rejected.code() == RouteDecision.RejectCode.NO_MATCHING_RULE;
        return rejected.code().deliberateSkip() || movedInFromElsewhere
                ? new Outcome.Skipped(rejected.code().label(), detail)
                : new Outcome.DeadLetter(rejected.code().label(), detail, null);
    }
}
