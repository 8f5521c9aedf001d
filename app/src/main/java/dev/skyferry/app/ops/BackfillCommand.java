package dev.skyferry.app.ops;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.app.ops.OpsContext.SourceQueue;
import dev.skyferry.ops.backfill.Backfill;
import dev.skyferry.ops.backfill.BackfillAction;
import dev.skyferry.ops.backfill.BackfillOptions;
import dev.skyferry.ops.backfill.BackfillRecord;
import dev.skyferry.ops.backfill.Checkpoint;
import dev.skyferry.ops.backfill.DirectReplication;
import dev.skyferry.ops.backfill.EnqueueReplication;
import dev.skyferry.ops.diff.ListingCounter;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.progress.ProgressFormat;
import dev.skyferry.ops.progress.ProgressReporter;
import dev.skyferry.store.StoreKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skyferry backfill}: seeds or repairs replicas from what is already stored. */
@Command(name = "backfill", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Replicate what is already in the sources and missing or different on the targets.",
        description = {
            "Lists each rule's source and replicates what is missing or different on the target, under the",
            "same rules, provenance and loop markers as the worker; compares by size and checksum/provenance,",
            "never by modification time alone. Objects that are themselves replicas are skipped.",
            "--direct copies here, --enqueue puts synthetic events on the worker's queue for the whole fleet.",
            "With --checkpoint a re-run after a kill continues where the last complete page ended."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every pair is complete and nothing failed",
            "1:some objects failed (the checkpoint keeps them for the next run) or the run was interrupted",
            "2:bad options or configuration; nothing was done",
            "3:the run stopped on an error; the checkpoint holds the last complete page"})
public final class BackfillCommand implements Callable<Integer> {

    /** How long Ctrl-C waits for in-flight copies to abort cleanly. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

    private final OpsContext.Factory contexts;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: $SKYFERRY_CONFIG).")
    Path config;

    @Mixin
    RuleScope scope;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Mode {
        @Option(names = "--direct", required = true, description = "Copy in this process, through the worker's pipeline.")
        boolean direct;

        @Option(names = "--enqueue", required = true,
                description = "Put one synthetic creation event per object on the worker's queue (for millions of objects).")
        boolean enqueue;
    }

    @Option(names = "--queue", paramLabel = "SOURCE",
            description = {"With --enqueue: the configured source(s) to enqueue to, one azure-queue and/or one sqs",
                "(default: the only source of each type)."})
    List<String> queues;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Record progress here after every listing page; a re-run continues from it.")
    Path checkpointFile;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "1000",
            description = "Objects per listing page and checkpoint (1..1000, default ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16",
            description = "Objects checked and copied (or enqueued) at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--dry-run", description = "List what would be copied; copy nothing, write no checkpoint.")
    boolean dryRun;

    @Option(names = "--no-count", description = "Do not count the source first (no percentage or ETA; saves one listing).")
    boolean noCount;

    @Option(names = {"-v", "--verbose"}, description = "List every object and what was done with it.")
    boolean verbose;

    public BackfillCommand(OpsContext.Factory contexts) {
        this.contexts = contexts;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BackfillOptions options;
        try {
            options = new BackfillOptions(pageSize, concurrency, dryRun, null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (OpsContext context = contexts.open(config);
             AutoCloseable ignored = OpsCli.interruptOnShutdown(Thread.currentThread(), SHUTDOWN_GRACE)) {
            List<SyncPair> pairs = scope.pairs(context);
            BackfillAction action = mode.direct ? new DirectReplication(context.processor()) : enqueue(context, pairs);
            Checkpoint checkpoint = Checkpoint.open(dryRun ? null : checkpointFile);
            if (checkpointFile == null && !dryRun) {
                err.println("backfill: no --checkpoint: an interrupted run starts over (objects already copied are found in sync)");
            }
            Backfill backfill = new Backfill(options, context.clock());
            boolean clean = true;
            for (SyncPair pair : pairs) {
                err.println("backfill " + pair.name() + ": " + pair.source().kind().name().toLowerCase() + " "
                        + location(pair, true) + " → " + location(pair, false) + ", " + action.describe()
                        + (dryRun ? " (dry run)" : ""));
                err.flush();
                Progress progress = new Progress("objects");
                Backfill.Result result;
                try (ListingCounter counter = noCount ? null : ListingCounter.start(pair.source(), pair.sourcePrefix(), progress);
                     ProgressReporter reporter = ProgressReporter.start("backfill " + pair.name(), progress, err,
                             OpsCli.interactive())) {
                    result = backfill.run(pair, action, checkpoint, progress, record -> {
                        if (verbose || record.failed() || record.label().equals("would-copy")
                                || record.label().equals("unreplicable")) {
                            reporter.printLine(out, line(record));
                        }
                    });
                }
                out.flush();
                err.println(summary(result, checkpoint));
                err.flush();
                clean &= result.complete() || (dryRun && result.stopped() == null);
                clean &= result.failed() == 0 && !result.counts().containsKey("unreplicable");
                if (result.stopped() != null) {
                    break;
                }
            }
            return clean ? OpsCli.OK : OpsCli.PROBLEMS;
        } catch (ConfigException e) {
            throw e; // listed by ConfigProblemHandler, exit 2, as for run and check
        } catch (IllegalArgumentException e) {
            err.println("skyferry backfill: " + e.getMessage());
            return OpsCli.USAGE;
        } catch (Exception e) {
            err.println("skyferry backfill: stopped: " + e);
            return OpsCli.ERROR;
        }
    }

    private EnqueueReplication enqueue(OpsContext context, List<SyncPair> pairs) {
        List<SourceQueue> candidates = new ArrayList<>();
        if (queues == null || queues.isEmpty()) {
            candidates.addAll(context.sources());
        } else {
            for (String name : queues) {
                candidates.add(context.source(name).orElseThrow(() -> new IllegalArgumentException("no source named '"
                        + name + "'; configured sources: "
                        + context.sources().stream().map(SourceQueue::name).collect(Collectors.joining(", ")))));
            }
        }
        boolean needAzure = pairs.stream().anyMatch(p -> p.sourceKind() == StoreKind.AZURE_BLOB);
        boolean needSqs = pairs.stream().anyMatch(p -> p.sourceKind() == StoreKind.S3);
        SourceQueue azure = needAzure ? only(candidates, SourceQueue.Type.AZURE_QUEUE) : null;
        SourceQueue sqs = needSqs ? only(candidates, SourceQueue.Type.SQS) : null;
        EnqueueReplication action = new EnqueueReplication(
                azure == null ? null : context.azureQueue(azure.account(), azure.queue()),
                sqs == null ? null : context.sqs(), sqs == null ? null : sqs.queueUrl(),
                context.awsRegion(), context.clock());
        pairs.forEach(action::requireQueueFor);
        return action;
    }

    private static SourceQueue only(List<SourceQueue> candidates, SourceQueue.Type type) {
        List<SourceQueue> ofType = candidates.stream().filter(s -> s.type() == type).toList();
        String label = type == SourceQueue.Type.SQS ? "sqs" : "azure-queue";
        if (ofType.isEmpty()) {
            throw new IllegalArgumentException("--enqueue needs an " + label + " source to enqueue to; none is "
                    + "configured or named with --queue");
        }
        if (ofType.size() > 1) {
            throw new IllegalArgumentException("several " + label + " sources (" + ofType.stream().map(SourceQueue::name)
                    .collect(Collectors.joining(", ")) + "): name one with --queue");
        }
        return ofType.get(0);
    }

    private static String location(SyncPair pair, boolean source) {
        return dev.skyferry.ops.diff.Differ.location(source ? pair.source() : pair.target(),
                source ? pair.sourcePrefix() : pair.targetPrefix());
    }

    static String line(BackfillRecord record) {
        return record.label() + "  " + record.pair() + "  " + record.key()
                + (record.detail() == null ? "" : "  — " + record.detail());
    }

    private String summary(Backfill.Result result, Checkpoint checkpoint) {
        if (result.alreadyComplete()) {
            return "backfill " + result.pair() + ": already complete according to " + checkpoint.file()
                    + " (delete it to backfill again)";
        }
        StringBuilder s = new StringBuilder("backfill ").append(result.pair()).append(dryRun ? " (dry run): " : ": ")
                .append(result.counts().isEmpty() ? "nothing listed" : ProgressFormat.counts(result.counts()));
        if (result.stopped() != null) {
            s.append("; stopped: ").append(result.stopped());
            if (checkpoint.file() != null) {
                s.append("; run again with --checkpoint ").append(checkpoint.file()).append(" to continue");
            }
        } else if (result.failed() > 0) {
            s.append("; ").append(result.failed()).append(" failed")
                    .append(checkpoint.file() != null ? " (kept in the checkpoint; the next run retries them)" : "");
        } else if (result.complete()) {
            s.append("; complete");
        }
        return s.toString();
    }
}
