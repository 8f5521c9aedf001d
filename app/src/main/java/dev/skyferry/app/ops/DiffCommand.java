package dev.skyferry.app.ops;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.ops.diff.Differ;
import dev.skyferry.ops.diff.DriftFormat;
import dev.skyferry.ops.diff.ListingCounter;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.progress.ProgressFormat;
import dev.skyferry.ops.progress.ProgressReporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skyferry diff}: reports drift between sources and their targets. Reads only. */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Report drift between each rule's source and its target, changing nothing.",
        description = {
            "Compares each rule's source with its target and reports drift: objects missing on the target,",
            "different there (older or foreign), unreplicable under the rules, and extra replicas whose source",
            "is gone. One line per finding (JSON Lines or CSV) on stdout or --output, a summary on stderr.",
            "Extras the rule's delete policy keeps on purpose (deletes: ignore, tombstones) are listed with",
            "expected=true and do not count as drift."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:no drift",
            "1:drift found",
            "2:bad options or configuration",
            "3:the diff could not complete (a store kept failing); its partial output is not a full report"})
public final class DiffCommand implements Callable<Integer> {

    private final OpsContext.Factory contexts;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: $SKYFERRY_CONFIG).")
    Path config;

    @Mixin
    RuleScope scope;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json (JSON Lines) or csv (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the lines here instead of stdout.")
    Path output;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "1000",
            description = "Objects per listing request (1..1000, default ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16",
            description = "Objects checked at once, where a listing is not enough (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--no-count", description = "Do not count the source first (no percentage or ETA).")
    boolean noCount;

    public DiffCommand(OpsContext.Factory contexts) {
        this.contexts = contexts;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        DriftFormat driftFormat;
        Differ differ;
        try {
            driftFormat = DriftFormat.parse(format);
            differ = new Differ(pageSize, concurrency);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (OpsContext context = contexts.open(config);
             AutoCloseable ignored = OpsCli.interruptOnShutdown(Thread.currentThread(), Duration.ofSeconds(5));
             PrintWriter lines = output == null ? null
                     : new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
            PrintWriter out = lines != null ? lines : spec.commandLine().getOut();
            List<SyncPair> pairs = scope.pairs(context);
            if (driftFormat.header() != null) {
                out.println(driftFormat.header());
            }
            long drift = 0;
            for (SyncPair pair : pairs) {
                Progress progress = new Progress("objects");
                Differ.Result result;
                try (ListingCounter counter = noCount ? null : ListingCounter.start(pair.source(), pair.sourcePrefix(), progress);
                     ProgressReporter reporter = ProgressReporter.start("diff " + pair.name(), progress, err,
                             OpsCli.interactive())) {
                    result = differ.run(pair, progress, d -> reporter.printLine(out, driftFormat.line(d)));
                }
                drift += result.drift();
                err.println("diff " + pair.name() + ": " + ProgressFormat.counts(nonZero(result.counts()))
                        + (result.stopped() == null ? "" : "; stopped: " + result.stopped()));
                err.flush();
                if (result.stopped() != null) {
                    return OpsCli.ERROR;
                }
            }
            out.flush();
            err.println(drift == 0 ? "diff: no drift" : "diff: " + drift + " drift line" + (drift == 1 ? "" : "s"));
            err.flush();
            return drift == 0 ? OpsCli.OK : OpsCli.PROBLEMS;
        } catch (ConfigException e) {
            throw e; // listed by ConfigProblemHandler, exit 2, as for run and check
        } catch (IllegalArgumentException e) {
            err.println("skyferry diff: " + e.getMessage());
            return OpsCli.USAGE;
        } catch (IOException e) {
            err.println("skyferry diff: cannot write " + output + ": " + e.getMessage());
            return OpsCli.USAGE;
        } catch (Exception e) {
            err.println("skyferry diff: could not complete: " + e);
            return OpsCli.ERROR;
        }
    }

    /** The counts worth printing: the kinds that occurred, always with in-sync for scale. */
    private static Map<String, Long> nonZero(Map<String, Long> counts) {
        Map<String, Long> shown = new java.util.LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v > 0 || k.equals("in-sync")) {
                shown.put(k, v);
            }
        });
        return shown;
    }
}
