package dev.skyferry.app.ops;

import dev.skyferry.ops.diff.SyncPair;
import java.util.List;
import picocli.CommandLine.Option;

/** The options that pick which rules, and which way, backfill and diff walk. */
final class RuleScope {

    @Option(names = "--rule", paramLabel = "NAME", description = "Only this rule; repeatable (default: every rule).")
    List<String> rules;

    @Option(names = "--direction", paramLabel = "DIRECTION", converter = OpsCli.DirectionChoice.Converter.class,
            description = "azure-to-s3, s3-to-azure, or both (default: each rule's own direction).")
    OpsCli.DirectionChoice direction = OpsCli.DirectionChoice.RULE;

    /** The source/target pairs in scope, in rule order. */
    List<SyncPair> pairs(OpsContext context) {
        return OpsCli.pairs(context, rules, direction);
    }
}
