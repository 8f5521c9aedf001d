package dev.skyferry.plan;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.InvalidMetadataPolicy;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.StoreKind;
import java.time.Instant;
import java.util.UUID;

/** Events, rules and tasks for engine tests, shaped as the parser and the rule set produce them. */
public final class TaskFixtures {

    public static final Instant EVENT_TIME = Instant.parse("2025-01-02T03:04:05Z");

    private TaskFixtures() {}

    public static RuleBuilder rule() {
        return new RuleBuilder();
    }

    /** A created event for the object as it is now in {@code source}; Azure events carry the blob URL. */
    public static ReplicationEvent created(ObjectStore source, ObjectInfo info, String sequencer) {
        return new ReplicationEvent(source.kind(), source.account(), source.container(), info.key(), EventKind.CREATED,
                info.etag(), info.size(), info.versionId(), sequencer, EVENT_TIME, UUID.randomUUID().toString(),
                source.kind() == StoreKind.S3 ? "ObjectCreated:Put" : "PutBlob", url(source, info.key()), null);
    }

    public static ReplicationEvent deleted(ObjectStore source, String key, String sequencer) {
        return new ReplicationEvent(source.kind(), source.account(), source.container(), key, EventKind.DELETED,
                null, null, null, sequencer, EVENT_TIME, UUID.randomUUID().toString(),
                source.kind() == StoreKind.S3 ? "ObjectRemoved:Delete" : "DeleteBlob", url(source, key), null);
    }

    private static String url(ObjectStore source, String key) {
        return source.kind() == StoreKind.AZURE_BLOB ? source.uriOf(key).toASCIIString() : null;
    }

    /** A task whose target key equals the source key (a rule without prefixes). */
    public static ReplicationTask task(ReplicationEvent event, ReplicationRule rule, ObjectStore source, ObjectStore target) {
        return new ReplicationTask(event, rule, source, target, event.key());
    }

    /** Builds rules; defaults: two-way, deletes ignored, invalid metadata excluded, no tags. */
    public static final class RuleBuilder {
        private String name = "test-rule";
        private DeletePolicy deletes = DeletePolicy.IGNORE;
        private InvalidMetadataPolicy invalidMetadata = InvalidMetadataPolicy.EXCLUDE;
        private TargetOptions s3Options = TargetOptions.DEFAULTS;
        private TargetOptions azureOptions = TargetOptions.DEFAULTS;
        private boolean copyTags;

        public RuleBuilder name(String value) {
            name = value;
            return this;
        }

        public RuleBuilder deletes(DeletePolicy value) {
            deletes = value;
            return this;
        }

        public RuleBuilder invalidMetadata(InvalidMetadataPolicy value) {
            invalidMetadata = value;
            return this;
        }

        public RuleBuilder s3Options(TargetOptions value) {
            s3Options = value;
            return this;
        }

        public RuleBuilder azureOptions(TargetOptions value) {
            azureOptions = value;
            return this;
        }

        public RuleBuilder copyTags() {
            copyTags = true;
            return this;
        }

        public ReplicationRule build() {
            return new ReplicationRule(name, new ReplicationRule.AzureSide("acct", "photos", "", null),
                    new ReplicationRule.S3Side("photos-backup", ""), Direction.BOTH, KeyFilter.ALL, deletes,
                    invalidMetadata, s3Options, azureOptions, copyTags);
        }
    }
}
