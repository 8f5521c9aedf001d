package dev.skyferry.plan;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * A plan being made on its own virtual thread (the target's HEAD), so that the copier can open the
 * source meanwhile and wait for the plan only before it writes: the HEAD and the GET overlap instead of
 * costing two round trips in a row.
 */
public final class PendingPlan {

    private final CompletableFuture<Plan> plan;
    private final Thread planning;

    private PendingPlan(CompletableFuture<Plan> plan, Thread planning) {
        this.plan = plan;
        this.planning = planning;
    }

    /** A plan already made. */
    public static PendingPlan of(Plan plan) {
        return new PendingPlan(CompletableFuture.completedFuture(plan), null);
    }

    /** Starts {@code planner} on a virtual thread that carries the caller's log context. */
    public static PendingPlan start(Supplier<Plan> planner) {
        CompletableFuture<Plan> plan = new CompletableFuture<>();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        Thread planning = Thread.ofVirtual().name("plan").start(() -> {
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
            try {
                plan.complete(planner.get());
            } catch (Throwable t) {
                plan.completeExceptionally(t);
            }
        });
        return new PendingPlan(plan, planning);
    }

    /** Waits for the plan; a planner's failure is thrown here as it was thrown there. */
    public Plan await() throws InterruptedException {
        try {
            return plan.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException failure -> throw failure;
                case Error error -> throw error;
                default -> throw new IllegalStateException("planning failed", e.getCause());
            }
        }
    }

    /** Stops a planning still in progress (the copy ended before it needed the plan). */
    public void cancel() {
        if (planning != null && !plan.isDone()) {
            planning.interrupt();
        }
    }
}
