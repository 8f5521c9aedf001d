package dev.skyferry.plan;

import dev.skyferry.logging.LogContext;
import dev.skyferry.store.Precondition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * A plan being made on its own virtual thread (the target's HEAD), so that the copier can open the
 * source meanwhile and wait for the plan only before it writes: the HEAD and the GET overlap instead of
 * costing two round trips in a row.
 *
 * <p>Or a plan {@linkplain #assumingAbsent assumed}: copy if the target is absent, enforced by the write's
 * own If-None-Match, with the HEAD made only when the write finds something there (or before a
 * multipart write, which would waste every part on a conflict). A new object then costs no look at the
 * target at all.
 */
public final class PendingPlan {

    private static final Plan.Copy COPY_IF_ABSENT = new Plan.Copy(Precondition.IF_ABSENT);

    private final CompletableFuture<Plan> plan;
    private final Thread planning;
    /** Set for an assumed plan: the planner that looks at the target when the assumption is not enough. */
    private final Supplier<Plan> planner;
    /** An assumed plan's planner's answer, once asked (one copier thread asks). */
    private Plan looked;

    private PendingPlan(CompletableFuture<Plan> plan, Thread planning, Supplier<Plan> planner) {
        this.plan = plan;
        this.planning = planning;
        this.planner = planner;
    }

    /** A plan already made. */
    public static PendingPlan of(Plan plan) {
        return new PendingPlan(CompletableFuture.completedFuture(plan), null, null);
    }

    /** Starts {@code planner} on a virtual thread that carries the caller's log context. */
    public static PendingPlan start(Supplier<Plan> planner) {
        CompletableFuture<Plan> plan = new CompletableFuture<>();
        Thread planning = Thread.ofVirtual().name("plan").start(LogContext.carriedInto(() -> {
            try {
                plan.complete(planner.get());
            } catch (Throwable t) {
                plan.completeExceptionally(t);
            }
        }));
        return new PendingPlan(plan, planning, null);
    }

    /**
     * "Copy if the target is absent", without looking: for targets whose writes enforce If-None-Match.
     * {@link #confirmed()} runs {@code planner} when the copier needs the real plan.
     */
    public static PendingPlan assumingAbsent(Supplier<Plan> planner) {
        return new PendingPlan(CompletableFuture.completedFuture(COPY_IF_ABSENT), null, planner);
    }

    /** True while the plan is the assumption that the target is absent, not yet looked at. */
    public boolean isAssumption() {
        return planner != null && looked == null;
    }

    /** Waits for the plan (an assumed plan is at hand); a planner's failure is thrown here as it was thrown there. */
    public Plan await() throws InterruptedException {
        if (looked != null) {
            return looked;
        }
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

    /**
     * The plan from a look at the target: an assumed plan runs its planner now (the HEAD), once; any
     * other plan is {@link #await}ed.
     */
    public Plan confirmed() throws InterruptedException {
        if (isAssumption()) {
            looked = planner.get();
        }
        return await();
    }

    /** Stops a planning still in progress (the copy ended before it needed the plan). */
    public void cancel() {
        if (planning != null && !plan.isDone()) {
            planning.interrupt();
        }
    }
}
