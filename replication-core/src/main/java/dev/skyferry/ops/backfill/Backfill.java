package dev.skyferry.ops.backfill;

import dev.skyferry.ops.diff.Differ;
import dev.skyferry.ops.diff.PairedListing;
import dev.skyferry.ops.diff.ReplicaCheck;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.diff.Verdict;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.store.ObjectInfo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * {@code skyferry backfill}: lists a rule's source page by page and makes the target hold a replica
 * of every object that lacks one or has a different one, judged by {@link ReplicaCheck} (size and
 * checksum or provenance, not modification time). The copying itself is a {@link BackfillAction}.
 *
 * <p>Resumable: after each page whose every object is handled, the listing position goes to the
 * {@link Checkpoint}; a re-run continues from there and first retries the objects that failed. A
 * kill mid-page repeats at most that page, whose finished objects are then found in sync.
 */
public final class Backfill {

    private final BackfillOptions options;
    private final Clock clock;

    public Backfill(BackfillOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
    }

    /**
     * @param counts   outcomes of this run, by label
     * @param failed   objects that failed in this run; the checkpoint keeps them for the next run
     * @param complete the listing is finished and nothing waits for a retry
     * @param stopped  why the run ended early (interrupted, too many failures), or null
     * @param alreadyComplete the checkpoint said this pair was finished before the run; nothing was done
     */
    public record Result(String pair, Map<String, Long> counts, long failed, boolean complete, String stopped,
                         boolean alreadyComplete) {}

    /** Runs one pair; closes nothing it was given. */
    public Result run(SyncPair pair, BackfillAction action, Checkpoint checkpoint, Progress progress,
                      Consumer<BackfillRecord> listener) {
        return new Run(pair, action, checkpoint, progress, listener).execute();
    }

    private final class Run {
        final SyncPair pair;
        final BackfillAction action;
        final Checkpoint checkpoint;
        final Progress progress;
        final Consumer<BackfillRecord> listener;
        final ReplicaCheck check;
        final String sourceLocation;
        final String targetLocation;
        final Map<String, LongAdder> runCounts = new ConcurrentHashMap<>();
        final Map<String, Long> totalCounts = new LinkedHashMap<>();
        final ConcurrentLinkedQueue<String> failedKeys = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> pageLabels = new ConcurrentLinkedQueue<>();
        long failedThisRun;
        String stopped;

        Run(SyncPair pair, BackfillAction action, Checkpoint checkpoint, Progress progress, Consumer<BackfillRecord> listener) {
            this.pair = pair;
            this.action = action;
            this.checkpoint = checkpoint;
            this.progress = progress;
            this.listener = listener;
            // Enqueued events and dry-run listings should be exact; the in-process pipeline re-checks anyway.
            this.check = action.confirmsItself() && !options.dryRun()
                    ? ReplicaCheck.forPipeline(pair) : ReplicaCheck.confirming(pair);
            this.sourceLocation = Differ.location(pair.source(), pair.sourcePrefix());
            this.targetLocation = Differ.location(pair.target(), pair.targetPrefix());
        }

        Result execute() {
            Checkpoint.PairState state = checkpoint.state(pair.name(), sourceLocation, targetLocation);
            if (state.complete()) {
                return new Result(pair.name(), Map.of(), 0, true, null, true);
            }
            totalCounts.putAll(state.counts());
            progress.resumeFrom(state.objectsDone(), state.bytesDone());
            try (ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(),
                    Thread.ofPlatform().daemon().name("skyferry-backfill-", 0).factory())) {
                state = retryFailed(pool, state);
                if (stopped == null) {
                    state = walkListing(pool, state);
                }
                if (stopped != null) {
                    pool.shutdownNow(); // interrupts in-flight copies: the pipeline aborts their writes
                }
            }
            return result(state);
        }

        /** The objects an earlier run could not handle, by key: they may have changed or gone since. */
        Checkpoint.PairState retryFailed(ExecutorService pool, Checkpoint.PairState state) {
            if (state.retryKeys().isEmpty()) {
                return state;
            }
            List<Future<?>> futures = new ArrayList<>();
            for (String key : state.retryKeys()) {
                futures.add(pool.submit(() -> {
                    try {
                        pair.source().stat(key).ifPresentOrElse(
                                object -> handle(object, null, false),
                                () -> record(key, "gone", "no longer in the source"));
                    } catch (RuntimeException e) {
                        fail(key, "failed:check", e.getMessage());
                    }
                }));
            }
            if (!awaitAll(futures)) {
                return state;
            }
            // The retried keys are replaced by those that failed again.
            return save(List.of(), state.position(), state.pagesDone(), state.objectsDone(), state.bytesDone());
        }

        Checkpoint.PairState walkListing(ExecutorService pool, Checkpoint.PairState state) {
            PairedListing listing = new PairedListing(pair, options.pageSize(), state.position(), false);
            PairedListing.Page current = listing.finished() ? null : listing.next();
            while (current != null) {
                if (Thread.currentThread().isInterrupted()) {
                    stopped = "interrupted";
                    break;
                }
                List<Future<?>> futures = new ArrayList<>();
                long pageBytes = 0;
                for (PairedListing.Pair p : current.pairs()) {
                    pageBytes += p.source().size();
                    futures.add(pool.submit(() -> handle(p.source(), p.listedTarget(), true)));
                }
                // The next page is listed while this one's objects are being copied.
                PairedListing.Page next = listing.finished() ? null : listing.next();
                if (!awaitAll(futures)) {
                    break;
                }
                if (failedKeys.size() + state.retryKeys().size() > Checkpoint.MAX_RETRY_KEYS) {
                    stopped = "more than " + Checkpoint.MAX_RETRY_KEYS + " objects failed; fix the cause and run again"
                            + " (the checkpoint keeps the position before this page)";
                    break;
                }
                state = save(state.retryKeys(), current.after(), state.pagesDone() + 1,
                        state.objectsDone() + current.pairs().size(), state.bytesDone() + pageBytes);
                options.afterPage().pageDone(pair.name(), state.pagesDone());
                current = next;
            }
            return state;
        }

        /** Waits for a page's tasks; false (and {@link #stopped} set) when interrupted meanwhile. */
        boolean awaitAll(List<Future<?>> futures) {
            try {
                for (Future<?> future : futures) {
                    future.get();
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                stopped = "interrupted";
                return false;
            } catch (ExecutionException e) {
                // handle() catches everything per object; reaching here is a bug, not an object's failure.
                throw new IllegalStateException("backfill task failed unexpectedly", e.getCause());
            }
        }

        /** @param carriedRetryKeys failures of earlier pages still waiting for the next run */
        Checkpoint.PairState save(List<String> carriedRetryKeys, PairedListing.Position position, long pages,
                                  long objects, long bytes) {
            String label;
            while ((label = pageLabels.poll()) != null) {
                totalCounts.merge(label, 1L, Long::sum);
            }
            List<String> retry = new ArrayList<>(carriedRetryKeys);
            String key;
            while ((key = failedKeys.poll()) != null) {
                retry.add(key);
            }
            Checkpoint.PairState next = new Checkpoint.PairState(sourceLocation, targetLocation, position, pages,
                    objects, bytes, totalCounts, retry, clock.instant().toString());
            if (!options.dryRun()) {
                checkpoint.save(pair.name(), next);
            }
            return next;
        }

        /** @param listed false for retried objects, which were counted when first listed */
        void handle(ObjectInfo source, ObjectInfo listedTarget, boolean listed) {
            String key = source.key();
            try {
                Verdict verdict = check.check(source, listedTarget);
                if (!verdict.kind().needsCopy()) {
                    record(key, verdict.kind().label(), verdict.detail());
                } else if (options.dryRun()) {
                    record(key, "would-copy", verdict.kind().label() + ": " + verdict.detail());
                } else {
                    BackfillAction.Result result = action.apply(pair, verdict);
                    if (result.done()) {
                        record(key, result.label(), result.detail());
                    } else {
                        fail(key, result.label(), result.detail());
                    }
                }
            } catch (RuntimeException e) {
                fail(key, "failed:check", e.getMessage());
            } finally {
                if (listed) {
                    progress.advance(1, source.size());
                }
            }
        }

        void fail(String key, String label, String detail) {
            failedKeys.add(key);
            synchronized (this) {
                failedThisRun++;
            }
            record(key, label, detail);
        }

        void record(String key, String label, String detail) {
            runCounts.computeIfAbsent(label, l -> new LongAdder()).increment();
            pageLabels.add(label);
            progress.count(label);
            listener.accept(new BackfillRecord(pair.name(), key, label, detail));
        }

        Result result(Checkpoint.PairState state) {
            Map<String, Long> counts = new LinkedHashMap<>();
            runCounts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> counts.put(e.getKey(), e.getValue().sum()));
            boolean complete = !options.dryRun() && stopped == null && state.complete();
            return new Result(pair.name(), counts, failedThisRun, complete, stopped, false);
        }
    }
}
