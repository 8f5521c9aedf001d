package dev.skyferry.ops.replay;

import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.replay.ReplayDestination.Delivery;
import dev.skyferry.ops.replay.ReplayRecord.Action;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Moves dead letters back: take a batch from the {@link DeadLetterSource}, filter, deliver to the
 * {@link ReplayDestination}, and only then remove each from the source. Copy first, delete second:
 * a crash (or a failed delete) between the two leaves the letter where it was, so a later run sends
 * it again — a duplicate the pipeline absorbs, never a loss.
 */
public final class Replayer {

    private final EventParser parser;
    private final Clock clock;

    public Replayer(EventParser parser, Clock clock) {
        this.parser = parser;
        this.clock = clock;
    }

    /**
     * Runs until the source is exhausted, the limit is reached, the thread is interrupted, or
     * {@link ReplayOptions#MAX_CONSECUTIVE_FAILURES} deliveries failed in a row. Closes the source.
     *
     * @param listener told about every letter, in order (dry-run listings, verbose output)
     */
    public ReplayResult run(DeadLetterSource source, ReplayDestination destination, ReplayOptions options,
                            Progress progress, Consumer<ReplayRecord> listener) {
        Run run = new Run(source, destination, options, progress, listener);
        try {
            run.loop();
        } finally {
            // Releasing kept messages must not fail because Ctrl-C interrupted us: the SDKs refuse to
            // start a call on an interrupted thread. The interrupt is restored for the caller.
            boolean interrupted = Thread.interrupted();
            try {
                source.close();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return new ReplayResult(run.counts, run.limitReached, run.stoppedEarly);
    }

    private final class Run {
        final DeadLetterSource source;
        final ReplayDestination destination;
        final ReplayOptions options;
        final Progress progress;
        final Consumer<ReplayRecord> listener;
        final RateLimiter limiter;
        final Map<Action, Long> counts = new EnumMap<>(Action.class);
        long taken;
        int failuresInARow;
        boolean limitReached;
        String stoppedEarly;

        Run(DeadLetterSource source, ReplayDestination destination, ReplayOptions options, Progress progress,
            Consumer<ReplayRecord> listener) {
            this.source = source;
            this.destination = destination;
            this.options = options;
            this.progress = progress;
            this.listener = listener;
            this.limiter = options.ratePerSecond() == null ? null : RateLimiter.of("replay", RateLimiterConfig.custom()
                    .limitRefreshPeriod(options.ratePeriod())
                    .limitForPeriod(options.permitsPerPeriod())
                    .timeoutDuration(Duration.ofDays(1))
                    .build());
        }

        void loop() {
            source.approximateCount().ifPresent(n ->
                    progress.total(options.limit() != null && options.filter().takesAll() ? Math.min(n, options.limit()) : n));
            while (!stopping()) {
                DeadLetterSource.Batch batch;
                try {
                    batch = source.next();
                } catch (RuntimeException e) {
                    // Everything moved so far stays moved; report it instead of losing the counts.
                    stoppedEarly = "reading " + source.describe() + " failed: " + e.getMessage();
                    return;
                }
                if (batch.isEmpty()) {
                    return;
                }
                batch.unreadable().forEach(u -> record(new ReplayRecord(u.id(), null, List.of(), Action.UNREADABLE, u.reason())));
                for (DeadLetter letter : batch.letters()) {
                    if (stopping()) {
                        source.keep(letter); // the rest of the batch stays untouched
                    } else {
                        handle(letter);
                    }
                }
                try {
                    source.batchDone();
                } catch (EventGridDeadLetters.BlobChangedException e) {
                    stoppedEarly = e.getMessage();
                } catch (RuntimeException e) {
                    // The batch's letters were delivered but their removal failed: they stay, and go again.
                    stoppedEarly = "settling the last batch in " + source.describe() + " failed (its replayed letters"
                            + " stay and will be replayed again): " + e.getMessage();
                }
            }
        }

        boolean stopping() {
            if (stoppedEarly == null && Thread.currentThread().isInterrupted()) {
                stoppedEarly = "interrupted";
            }
            return limitReached || stoppedEarly != null;
        }

        void handle(DeadLetter letter) {
            ParsedMessage parsed = letter.family() == DeadLetter.QueueFamily.SQS
                    ? parser.parseSqsMessage(letter.body())
                    : parser.parseAzureQueueMessage(letter.body());
            List<ReplicationEvent> events = parsed.items().stream()
                    .filter(ParsedMessage.Accepted.class::isInstance)
                    .map(item -> ((ParsedMessage.Accepted) item).event())
                    .toList();
            Optional<String> rejected = options.filter().rejects(letter, events, clock.instant());
            if (rejected.isPresent()) {
                source.keep(letter);
                record(new ReplayRecord(letter.id(), letter, events, Action.FILTERED_OUT, rejected.get()));
                return;
            }
            if (options.dryRun()) {
                source.keep(letter);
                took();
                record(new ReplayRecord(letter.id(), letter, events, Action.WOULD_REPLAY, "would go to " + destination.describe()));
                return;
            }
            if (limiter != null && !limiter.acquirePermission()) {
                source.keep(letter); // interrupted while waiting for the rate
                return;
            }
            switch (destination.deliver(letter, parsed)) {
                case Delivery.Accepted accepted -> {
                    failuresInARow = 0;
                    took();
                    try {
                        source.remove(letter);
                        record(new ReplayRecord(letter.id(), letter, events, Action.REPLAYED, accepted.detail()));
                    } catch (RuntimeException e) {
                        record(new ReplayRecord(letter.id(), letter, events, Action.REPLAYED_NOT_REMOVED,
                                accepted.detail() + ", but removing it from the dead letters failed (" + e.getMessage()
                                        + "); the next run replays it again"));
                    }
                }
                case Delivery.Rejected rejectedDelivery -> {
                    source.keep(letter);
                    record(new ReplayRecord(letter.id(), letter, events, Action.FAILED, rejectedDelivery.reason()));
                    if (++failuresInARow >= ReplayOptions.MAX_CONSECUTIVE_FAILURES) {
                        stoppedEarly = failuresInARow + " deliveries failed in a row, last: " + rejectedDelivery.reason();
                    }
                }
            }
        }

        void took() {
            taken++;
            if (options.limit() != null && taken >= options.limit()) {
                limitReached = true;
            }
        }

        void record(ReplayRecord record) {
            counts.merge(record.action(), 1L, Long::sum);
            progress.advance(1, 0);
            progress.count(record.action().label());
            listener.accept(record);
        }
    }
}
