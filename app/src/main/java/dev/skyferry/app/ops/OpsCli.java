package dev.skyferry.app.ops;

import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import java.io.Console;
import java.lang.reflect.Method;
import dev.skyferry.app.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** What the ops commands share: exit codes, option converters, terminal detection, rule selection. */
final class OpsCli {

    /** Everything as asked: no failures, no drift. */
    static final int OK = 0;
    /** The run finished, but something failed (replay, backfill) or drift was found (diff). */
    static final int PROBLEMS = 1;
    /** Bad options or configuration; nothing was done. */
    static final int USAGE = 2;
    /** The run could not finish (a store or queue kept failing); what was done is reported. */
    static final int ERROR = 3;

    private OpsCli() {}

    /**
     * True when a person watches: a console that is a terminal. Since JDK 22 {@code System.console()}
     * returns a console even for redirected streams (JDK-8308591), so {@code Console.isTerminal()} is
     * asked too where it exists; the build targets 21, hence by reflection.
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a non-null console is a terminal
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 7d}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Which way to walk a rule: its own direction(s), or one of them. */
    enum DirectionChoice {
        RULE, AZURE_TO_S3, S3_TO_AZURE;

        static final class Converter implements CommandLine.ITypeConverter<DirectionChoice> {
            @Override
            public DirectionChoice convert(String value) {
                return switch (value.strip().toLowerCase(Locale.ROOT)) {
                    case "azure-to-s3" -> AZURE_TO_S3;
                    case "s3-to-azure" -> S3_TO_AZURE;
                    case "both", "rule" -> RULE;
                    default -> throw new CommandLine.TypeConversionException(
                            "'" + value + "' is not a direction: azure-to-s3, s3-to-azure or both");
                };
            }
        }
    }

    /**
     * The rule/direction pairs to walk: the named rules (all when none are named), in each direction
     * the rule replicates, or only the chosen one.
     */
    static List<SyncPair> pairs(OpsContext context, List<String> ruleNames, DirectionChoice direction) {
        RuleSet rules = context.rules();
        List<ReplicationRule> chosen = new ArrayList<>();
        if (ruleNames == null || ruleNames.isEmpty()) {
            chosen.addAll(rules.rules());
        } else {
            for (String name : ruleNames) {
                chosen.add(rules.rule(name).orElseThrow(() -> new IllegalArgumentException("no rule named '" + name
                        + "'; configured rules: " + rules.rules().stream().map(ReplicationRule::name)
                        .collect(Collectors.joining(", ")))));
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("the configuration has no rules");
        }
        List<SyncPair> pairs = new ArrayList<>();
        for (ReplicationRule rule : chosen) {
            ObjectStore azure = context.azureContainer(rule.azure().account(), rule.azure().container());
            ObjectStore s3 = context.s3Bucket(rule.s3().bucket());
            boolean wantAzureToS3 = direction != DirectionChoice.S3_TO_AZURE;
            boolean wantS3ToAzure = direction != DirectionChoice.AZURE_TO_S3;
            if (direction != DirectionChoice.RULE && !(direction == DirectionChoice.AZURE_TO_S3
                    ? rule.direction().azureToS3() : rule.direction().s3ToAzure())) {
                throw new IllegalArgumentException("rule '" + rule.name() + "' does not replicate "
                        + (direction == DirectionChoice.AZURE_TO_S3 ? "azure-to-s3" : "s3-to-azure"));
            }
            if (wantAzureToS3 && rule.direction().azureToS3()) {
                pairs.add(new SyncPair(rules, rule, StoreKind.AZURE_BLOB, azure, s3));
            }
            if (wantS3ToAzure && rule.direction().s3ToAzure()) {
                pairs.add(new SyncPair(rules, rule, StoreKind.S3, s3, azure));
            }
        }
        return pairs;
    }

    /**
     * On Ctrl-C or SIGTERM, interrupts {@code worker} and gives it {@code grace} to stop cleanly: the
     * pipeline aborts in-flight writes (no partial replica), kept dead letters are released, and the
     * last checkpoint stays the last complete page. Close the result when the work is done.
     */
    static AutoCloseable interruptOnShutdown(Thread worker, Duration grace) {
        Thread hook = new Thread(() -> {
            worker.interrupt();
            try {
                worker.join(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "skyferry-ops-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it waits for us, nothing to undo.
            }
        };
    }

    /** {@code 2d 3h}, {@code 3h 12m}, {@code 12m 5s}, {@code 5s}; for ages in listings. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 86_400) {
            return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + (s % 3600) / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s + "s";
    }
}
