package dev.skyferry.rule;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.rule.ReplicationRule.AzureSide;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.InvalidMetadataPolicy;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.ReplicationRule.S3Side;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.StoreKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;

/** Builders for rules and events in rule tests. */
final class Rules {

    private Rules() {}

    static ReplicationRule rule(String name, AzureSide azure, S3Side s3, Direction direction, KeyFilter filter) {
        return new ReplicationRule(name, azure, s3, direction, filter, DeletePolicy.IGNORE,
                InvalidMetadataPolicy.RENAME, TargetOptions.DEFAULTS, TargetOptions.DEFAULTS, true);
    }

    static ReplicationRule rule(String name, AzureSide azure, S3Side s3, Direction direction) {
        return rule(name, azure, s3, direction, KeyFilter.ALL);
    }

    static AzureSide azure(String account, String container, String prefix) {
        return new AzureSide(account, container, prefix, null);
    }

    static S3Side s3(String bucket, String prefix) {
        return new S3Side(bucket, prefix);
    }

    /** A BlobCreated event as the parser produces it, with a data.url on the public endpoint. */
    static ReplicationEvent azureCreated(String account, String container, String key) {
        try {
            // As Event Grid writes it: the path percent-encoded (the subject, and so the key, is not).
            String url = new URI("https", account + ".blob.core.windows.net", "/" + container + "/" + key, null)
                    .toASCIIString();
            return azureCreated(account, container, key, url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ReplicationEvent azureCreated(String account, String container, String key, String url) {
        return new ReplicationEvent(StoreKind.AZURE_BLOB, account, container, key, EventKind.CREATED, "0x8D1", 1L,
                null, "0001", Instant.EPOCH, "eg-1", "PutBlob", url,
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/" + account);
    }

    static ReplicationEvent s3Created(String bucket, String key) {
        return new ReplicationEvent(StoreKind.S3, null, bucket, key, EventKind.CREATED, "abc", 1L, null, "00A1",
                Instant.EPOCH, "req:00A1", "ObjectCreated:Put", null, "arn:aws:s3:::" + bucket);
    }
}
