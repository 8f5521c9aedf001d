package dev.skyferry.rule;

import dev.skyferry.store.StoreKind;
import java.util.Objects;

/**
 * Where one object comes from and where its replica goes, under which rule.
 *
 * @param rule   the rule that maps the source to the target
 * @param source the object the event names (or a backfill lists)
 * @param target the replica's location: the source key moved from the rule's source prefix to its
 *               target prefix
 */
public record Route(ReplicationRule rule, Location source, Location target) {

    public Route {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    /** {@code azure-to-s3} or {@code s3-to-azure}, as in metric labels. */
    public String direction() {
        return source.store() == StoreKind.AZURE_BLOB ? "azure-to-s3" : "s3-to-azure";
    }

    /**
     * One object in one store.
     *
     * @param account   Azure storage account; null for S3
     * @param container Azure container or S3 bucket
     */
    public record Location(StoreKind store, String account, String container, String key) {

        public Location {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(container, "container");
            Objects.requireNonNull(key, "key");
        }

        /** {@code s3://bucket/key} or {@code azure://account/container/key}, for logs. */
        public String describe() {
            return store == StoreKind.S3
                    ? "s3://" + container + "/" + key
                    : "azure://" + account + "/" + container + "/" + key;
        }
    }
}
