package dev.skyferry.ops.diff;

import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import java.util.Objects;

/**
 * One rule in one direction: the source store and the target store its replicas go to. Backfill
 * and diff walk one pair at a time; a {@code both} rule is two pairs.
 *
 * @param rules      the whole rule set, which maps keys and applies filters exactly as the worker does
 * @param rule       the rule
 * @param sourceKind which side is the source
 * @param source     the rule's source container or bucket
 * @param target     the rule's target bucket or container
 */
public record SyncPair(RuleSet rules, ReplicationRule rule, StoreKind sourceKind, ObjectStore source, ObjectStore target) {

    public SyncPair {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(sourceKind, "sourceKind");
        if (source.kind() != sourceKind || target.kind() != sourceKind.opposite()) {
            throw new IllegalArgumentException("stores do not match direction " + direction(sourceKind)
                    + ": source is " + source.kind() + ", target is " + target.kind());
        }
        boolean enabled = sourceKind == StoreKind.AZURE_BLOB ? rule.direction().azureToS3() : rule.direction().s3ToAzure();
        if (!enabled) {
            throw new IllegalArgumentException("rule '" + rule.name() + "' does not replicate " + direction(sourceKind));
        }
    }

    /** {@code azure-to-s3} or {@code s3-to-azure}. */
    public String direction() {
        return direction(sourceKind);
    }

    public static String direction(StoreKind sourceKind) {
        return sourceKind == StoreKind.AZURE_BLOB ? "azure-to-s3" : "s3-to-azure";
    }

    public String sourcePrefix() {
        return prefix(sourceKind);
    }

    public String targetPrefix() {
        return prefix(sourceKind.opposite());
    }

    /** {@code photos azure-to-s3}: names this pair in checkpoints and reports. */
    public String name() {
        return rule.name() + " " + direction();
    }

    private String prefix(StoreKind side) {
        return side == StoreKind.AZURE_BLOB ? rule.azure().prefix() : rule.s3().prefix();
    }
}
