package dev.skyferry.rule;

import dev.skyferry.store.ObjectStore.TargetOptions;
import java.util.List;

/**
 * One mapping between an Azure container (+prefix) and an S3 bucket (+prefix). A key {@code p/x}
 * under the source prefix {@code p/} lands at {@code q/x} under the target prefix {@code q/}.
 *
 * @param name               unique, used in logs, metrics and provenance
 * @param azure              the Azure side
 * @param s3                 the S3 side
 * @param direction          which way objects flow
 * @param filter             include/exclude by key prefix/suffix, applied to the key relative to the
 *                           source prefix
 * @param deletes            what a source delete does to the replica
 * @param invalidMetadata    what to do with user metadata names Azure cannot hold (not C# identifiers)
 * @param s3TargetOptions    storage class / SSE for replicas written to S3
 * @param azureTargetOptions access tier / encryption scope for replicas written to Azure
 * @param copyTags           carry S3 object tags ⇄ Azure blob index tags
 */
public record ReplicationRule(
        String name,
        AzureSide azure,
        S3Side s3,
        Direction direction,
        KeyFilter filter,
        DeletePolicy deletes,
        InvalidMetadataPolicy invalidMetadata,
        TargetOptions s3TargetOptions,
        TargetOptions azureTargetOptions,
        boolean copyTags) {

    public enum Direction {
        AZURE_TO_S3, S3_TO_AZURE, BOTH;

        public boolean azureToS3() {
            return this != S3_TO_AZURE;
        }

        public boolean s3ToAzure() {
            return this != AZURE_TO_S3;
        }
    }

    /** Default {@code IGNORE}: Skyferry is a backup, a source delete keeps the replica. */
    public enum DeletePolicy {
        /** Source deletes do nothing to the replica. */
        IGNORE,
        /** Delete the replica, but only an object that carries Skyferry's replica marker. */
        PROPAGATE,
        /** Keep the replica's bytes, mark it with the deletion time in its metadata. */
        TOMBSTONE
    }

    /** AzCopy's {@code --s2s-handle-invalid-metadata}: ExcludeIfInvalid / FailIfInvalid / RenameIfInvalid. */
    public enum InvalidMetadataPolicy { EXCLUDE, FAIL, RENAME }

    /**
     * @param account       storage account name
     * @param container     container name
     * @param prefix        key prefix inside the container; empty for all
     * @param blobEndpoint  blob service endpoint; null means {@code https://<account>.blob.core.windows.net}
     */
    public record AzureSide(String account, String container, String prefix, String blobEndpoint) {
        public AzureSide {
            prefix = prefix == null ? "" : prefix;
        }
    }

    /** @param prefix key prefix inside the bucket; empty for all */
    public record S3Side(String bucket, String prefix) {
        public S3Side {
            prefix = prefix == null ? "" : prefix;
        }
    }

    /**
     * A key passes when it matches at least one include (or there are none) and no exclude.
     * Matching is by prefix and by suffix, case-sensitive.
     */
    public record KeyFilter(List<String> includePrefixes, List<String> includeSuffixes,
                            List<String> excludePrefixes, List<String> excludeSuffixes) {
        public static final KeyFilter ALL = new KeyFilter(List.of(), List.of(), List.of(), List.of());

        public KeyFilter {
            includePrefixes = includePrefixes == null ? List.of() : List.copyOf(includePrefixes);
            includeSuffixes = includeSuffixes == null ? List.of() : List.copyOf(includeSuffixes);
            excludePrefixes = excludePrefixes == null ? List.of() : List.copyOf(excludePrefixes);
            excludeSuffixes = excludeSuffixes == null ? List.of() : List.copyOf(excludeSuffixes);
        }
    }
}
