package dev.skyferry.plan;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.StoreKind;
import java.util.Objects;

/**
 * One routed event, ready for the engine: what changed, under which rule, and the two stores and the
 * target key it maps to. The source key is the event's key.
 */
public record ReplicationTask(ReplicationEvent event, ReplicationRule rule, ObjectStore source,
                              ObjectStore target, String targetKey) {

    public ReplicationTask {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(targetKey, "targetKey");
    }

    public String sourceKey() {
        return event.key();
    }

    /** The write options the rule sets for the target's cloud. */
    public TargetOptions targetOptions() {
        TargetOptions options = target.kind() == StoreKind.S3 ? rule.s3TargetOptions() : rule.azureTargetOptions();
        return options == null ? TargetOptions.DEFAULTS : options;
    }

    /** The rule's delete policy; unset means the documented default, IGNORE: a backup never loses replicas by accident. */
    public DeletePolicy deletePolicy() {
        return rule.deletes() == null ? DeletePolicy.IGNORE : rule.deletes();
    }

    /** The same task for another event about the same source key. */
    public ReplicationTask withEvent(ReplicationEvent other) {
        if (!other.key().equals(event.key())) {
            throw new IllegalArgumentException("event for " + other.key() + ", task for " + event.key());
        }
        return new ReplicationTask(other, rule, source, target, targetKey);
    }

    /** The value of {@link Provenance#SOURCE_URI} for replicas of this task's source object. */
    public String sourceUriValue() {
        return Provenance.sourceUriValue(source.uriOf(event.key()));
    }

    /** For logs and outcome details, e.g. {@code s3://bucket/a.txt → https://acct.blob…/c/a.txt}. */
    public String describe() {
        return source.uriOf(event.key()) + " → " + target.uriOf(targetKey);
    }
}
