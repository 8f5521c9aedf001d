package dev.skyferry.app.ops;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.app.ops.OpsContext.SourceQueue;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.progress.ProgressFormat;
import dev.skyferry.ops.progress.ProgressReporter;
import dev.skyferry.ops.replay.AzurePoisonQueue;
import dev.skyferry.ops.replay.AzureQueueDestination;
import dev.skyferry.ops.replay.DeadLetter;
import dev.skyferry.ops.replay.DeadLetterFacts;
import dev.skyferry.ops.replay.DeadLetterSource;
import dev.skyferry.ops.replay.EventGridDeadLetters;
import dev.skyferry.ops.replay.ProcessingDestination;
import dev.skyferry.ops.replay.ReplayDestination;
import dev.skyferry.ops.replay.ReplayFilter;
import dev.skyferry.ops.replay.ReplayOptions;
import dev.skyferry.ops.replay.ReplayRecord;
import dev.skyferry.ops.replay.ReplayRecord.Action;
import dev.skyferry.ops.replay.ReplayResult;
import dev.skyferry.ops.replay.Replayer;
import dev.skyferry.ops.replay.SkyferryDeadLetterFormat;
import dev.skyferry.ops.replay.SqsDeadLetterQueue;
import dev.skyferry.ops.replay.SqsDeadLetterQueues;
import dev.skyferry.ops.replay.SqsMoveTask;
import dev.skyferry.ops.replay.SqsQueueDestination;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skyferry replay}: moves dead letters back to their source queue, or processes them here. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Send dead-lettered events back to be replicated again.",
        description = {
            "Moves what the worker dead-lettered back onto the source queue (or, with --process, replicates it",
            "in this process): the SQS dead-letter queue or the Azure poison queue of a configured source, or",
            "an Event Grid dead-letter container. Copy first, delete second: a crash may duplicate, never lose.",
            "The original message goes back byte for byte; the dead-letter facts are stripped."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:everything selected was replayed (or listed, with --dry-run)",
            "1:some dead letters failed, could not be read, or were replayed but not removed",
            "2:bad options or configuration; nothing was moved",
            "3:the run stopped early (an error, 10 failed deliveries in a row, Ctrl-C); what moved before is reported"})
public final class ReplayCommand implements Callable<Integer> {

    /** How long Ctrl-C waits for the letter in hand to be settled and kept messages to be released. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final OpsContext.Factory contexts;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: $SKYFERRY_CONFIG).")
    Path config;

    @Option(names = "--source", required = true, paramLabel = "NAME",
            description = "The configured source whose dead letters to replay (sources[].name).")
    String sourceName;

    @Option(names = "--event-grid-container", paramLabel = "[ACCOUNT/]CONTAINER",
            description = {"Replay an Event Grid dead-letter container instead of the poison queue; the events go",
                "to the (azure-queue) source's queue. ACCOUNT defaults to the source's account."})
    String eventGridContainer;

    @Option(names = "--subscription", paramLabel = "NAME",
            description = "With --event-grid-container: only this event subscription's blobs (matched upper case).")
    String subscription;

    @Option(names = "--process", description = "Replicate the events in this process instead of re-enqueueing them.")
    boolean process;

    @Option(names = "--server-side",
            description = {"SQS only: move the whole dead-letter queue with SQS's StartMessageMoveTask. Fast and",
                "survives this process, but cannot filter, dry-run, process or list; attributes go back as they are."})
    boolean serverSide;

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "Only dead letters whose reason contains TEXT (ignoring case); repeatable, any matches.")
    List<String> reasons;

    @Option(names = "--key-prefix", paramLabel = "PREFIX", description = "Only dead letters about keys starting with PREFIX.")
    String keyPrefix;

    @Option(names = "--object", paramLabel = "LOCATION",
            description = "Only dead letters about objects under s3://BUCKET[/PREFIX] or azure://ACCOUNT/CONTAINER[/PREFIX].")
    String objectLocation;

    @Option(names = "--older-than", paramLabel = "AGE", converter = OpsCli.DurationConverter.class,
            description = {"Only dead letters dead-lettered at least AGE ago (30s, 15m, 2h, 7d). A letter that",
                "records no dead-letter time is aged from when its queue got it: its SQS SentTimestamp (a redrive",
                "policy keeps the original send time), its insertion into the poison queue, or Event Grid's last",
                "delivery attempt (else its publish time). One with no time at all is left in place by --older-than",
                "and --newer-than."})
    Duration olderThan;

    @Option(names = "--newer-than", paramLabel = "AGE", converter = OpsCli.DurationConverter.class,
            description = "Only dead letters dead-lettered at most AGE ago (aged as for --older-than).")
    Duration newerThan;

    @Option(names = "--limit", paramLabel = "N", description = "Replay at most N dead letters.")
    Long limit;

    @Option(names = "--rate", paramLabel = "PER_SECOND", description = "Replay at most this many per second (0.5 allowed).")
    Double rate;

    @Option(names = "--dry-run", description = "List what would be replayed and why it failed; move nothing.")
    boolean dryRun;

    @Option(names = "--visibility", paramLabel = "DURATION", defaultValue = "15m", converter = OpsCli.DurationConverter.class,
            description = {"How long received dead letters stay hidden from others during the run (default ${DEFAULT-VALUE}).",
                "Those not replayed are released at the end."})
    Duration visibility;

    @Option(names = {"-v", "--verbose"}, description = "List every dead letter replayed, and those filtered out.")
    boolean verbose;

    public ReplayCommand(OpsContext.Factory contexts) {
        this.contexts = contexts;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ReplayOptions options;
        try {
            validateCombination();
            options = new ReplayOptions(new ReplayFilter(reasons, keyPrefix, objectLocation, olderThan, newerThan),
                    limit, rate, dryRun);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (OpsContext context = contexts.open(config);
             AutoCloseable ignored = OpsCli.interruptOnShutdown(Thread.currentThread(), SHUTDOWN_GRACE)) {
            SourceQueue source = context.source(sourceName).orElseThrow(() -> new IllegalArgumentException(
                    "no source named '" + sourceName + "'; configured sources: "
                            + context.sources().stream().map(SourceQueue::name).collect(Collectors.joining(", "))));
            if (serverSide) {
                return serverSideMove(context, source, out, err);
            }
            DeadLetterSource deadLetters = deadLetters(context, source);
            ReplayDestination destination = process ? new ProcessingDestination(context.processor())
                    : source.type() == SourceQueue.Type.SQS ? new SqsQueueDestination(context.sqs(), source.queueUrl())
                    : new AzureQueueDestination(context.azureQueue(source.account(), source.queue()));
            err.println("replay: " + deadLetters.describe() + " → " + destination.describe() + (dryRun ? " (dry run)" : ""));
            err.flush();
            Progress progress = new Progress("dead letters");
            Instant now = context.clock().instant();
            ReplayResult result;
            try (ProgressReporter reporter = ProgressReporter.start("replay", progress, err, OpsCli.interactive())) {
                result = new Replayer(context.parser(), context.clock()).run(deadLetters, destination, options, progress,
                        record -> {
                            if (shouldList(record.action())) {
                                reporter.printLine(out, line(record, now));
                            }
                        });
            }
            out.flush();
            printSummary(err, result);
            return result.stoppedEarly() != null ? OpsCli.ERROR : result.clean() ? OpsCli.OK : OpsCli.PROBLEMS;
        } catch (ConfigException e) {
            throw e; // listed by ConfigProblemHandler, exit 2, as for run and check
        } catch (IllegalArgumentException e) {
            err.println("skyferry replay: " + e.getMessage());
            return OpsCli.USAGE;
        } catch (Exception e) {
            err.println("skyferry replay: stopped: " + e);
            return OpsCli.ERROR;
        }
    }

    private void validateCombination() {
        if (subscription != null && eventGridContainer == null) {
            throw new IllegalArgumentException("--subscription needs --event-grid-container");
        }
        if (serverSide) {
            boolean filtered = (reasons != null && !reasons.isEmpty()) || keyPrefix != null || objectLocation != null
                    || olderThan != null || newerThan != null;
            if (filtered || limit != null || process || dryRun || eventGridContainer != null) {
                throw new IllegalArgumentException("--server-side moves a whole SQS dead-letter queue: it cannot be "
                        + "combined with filters, --limit, --process, --dry-run or --event-grid-container");
            }
            if (rate != null && (rate < 1 || rate > 500 || rate != Math.floor(rate))) {
                throw new IllegalArgumentException("--rate with --server-side must be a whole number within 1..500, was " + rate);
            }
        }
    }

    private DeadLetterSource deadLetters(OpsContext context, SourceQueue source) {
        if (eventGridContainer != null) {
            if (source.type() != SourceQueue.Type.AZURE_QUEUE && !process) {
                throw new IllegalArgumentException("Event Grid dead letters go back to an azure-queue source; '"
                        + source.name() + "' is an SQS source (or use --process)");
            }
            int slash = eventGridContainer.indexOf('/');
            String account = slash < 0 ? source.account() : eventGridContainer.substring(0, slash);
            String container = slash < 0 ? eventGridContainer : eventGridContainer.substring(slash + 1);
            if (account == null) {
                throw new IllegalArgumentException("--event-grid-container needs ACCOUNT/CONTAINER for an SQS source");
            }
            return new EventGridDeadLetters(context.azureContainer(account, container), subscription);
        }
        if (source.type() == SourceQueue.Type.SQS) {
            String dlq = source.deadLetterQueueUrl() != null ? source.deadLetterQueueUrl()
                    : SqsDeadLetterQueues.fromRedrivePolicy(context.sqs(), source.queueUrl());
            return new SqsDeadLetterQueue(context.sqs(), dlq, SkyferryDeadLetterFormat.INSTANCE, visibility);
        }
        return new AzurePoisonQueue(context.azureQueue(source.account(), source.poisonQueue()),
                SkyferryDeadLetterFormat.INSTANCE, visibility);
    }

    private int serverSideMove(OpsContext context, SourceQueue source, PrintWriter out, PrintWriter err) {
        if (source.type() != SourceQueue.Type.SQS) {
            throw new IllegalArgumentException("--server-side is for SQS sources; '" + source.name() + "' is an Azure queue");
        }
        String dlq = source.deadLetterQueueUrl() != null ? source.deadLetterQueueUrl()
                : SqsDeadLetterQueues.fromRedrivePolicy(context.sqs(), source.queueUrl());
        err.println("replay: SQS message move task " + dlq + " → " + source.queueUrl());
        err.flush();
        Progress progress = new Progress("messages");
        SqsMoveTask.Result result;
        try (ProgressReporter ignored = ProgressReporter.start("replay", progress, err, OpsCli.interactive())) {
            result = new SqsMoveTask(context.sqs()).move(dlq, source.queueUrl(),
                    rate == null ? null : rate.intValue(), progress);
        } catch (SqsMoveTask.TaskStillRunning e) {
            err.println("skyferry replay: " + e.getMessage());
            return OpsCli.ERROR;
        }
        out.println("move task " + result.status().toLowerCase() + ": " + result.moved() + " moved"
                + (result.toMove() == null ? "" : " of " + result.toMove())
                + (result.failureReason() == null ? "" : "; failure: " + result.failureReason()));
        out.flush();
        return result.completed() ? OpsCli.OK : OpsCli.PROBLEMS;
    }

    private boolean shouldList(Action action) {
        return switch (action) {
            case FAILED, REPLAYED_NOT_REMOVED, UNREADABLE, WOULD_REPLAY -> true;
            case REPLAYED, FILTERED_OUT -> verbose;
        };
    }

    /** {@code would-replay  <id>  reason=… attempts=… age=…  <events>  — <detail>} */
    static String line(ReplayRecord record, Instant now) {
        StringBuilder line = new StringBuilder(record.action().label()).append("  ").append(record.id());
        DeadLetter letter = record.letter();
        if (letter != null) {
            DeadLetterFacts facts = letter.facts();
            line.append("  reason=").append(facts.reason());
            if (facts.attempts() != null) {
                line.append(" attempts=").append(facts.attempts());
            }
            if (facts.deadLetteredAt() != null) {
                line.append(" age=").append(OpsCli.age(Duration.between(facts.deadLetteredAt(), now)));
            }
            line.append("  ").append(record.events().isEmpty() ? "(no readable event)"
                    : record.events().stream().map(ReplicationEvent::describe).collect(Collectors.joining(", ")));
            if (facts.detail() != null) {
                line.append("  last error: ").append(facts.detail());
            }
        }
        if (record.detail() != null) {
            line.append("  — ").append(record.detail());
        }
        return line.toString();
    }

    private void printSummary(PrintWriter err, ReplayResult result) {
        StringBuilder summary = new StringBuilder(dryRun ? "replay (dry run): " : "replay: ");
        summary.append(ProgressFormat.counts(result.counts().entrySet().stream()
                .filter(e -> e.getValue() > 0 || e.getKey() == (dryRun ? Action.WOULD_REPLAY : Action.REPLAYED))
                .sorted(java.util.Map.Entry.comparingByKey())
                .collect(Collectors.toMap(e -> e.getKey().label(), java.util.Map.Entry::getValue,
                        (a, b) -> a, java.util.LinkedHashMap::new))));
        if (result.limitReached()) {
            summary.append("; stopped at --limit ").append(limit);
        }
        if (result.stoppedEarly() != null) {
            summary.append("; stopped early: ").append(result.stoppedEarly());
        }
        err.println(summary);
        if (result.count(Action.REPLAYED_NOT_REMOVED) > 0) {
            err.println("  " + result.count(Action.REPLAYED_NOT_REMOVED)
                    + " were delivered but are still dead-lettered: the next replay delivers them again (duplicates, no loss)");
        }
        err.flush();
    }
}
