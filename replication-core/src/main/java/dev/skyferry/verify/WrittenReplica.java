package dev.skyferry.verify;

import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteResult;
import java.util.List;

/**
 * What the copier wrote and what it knows about those bytes, for the verifier to compare with what
 * the target reports.
 *
 * @param key      the replica's key in the target
 * @param method   how it was written
 * @param result   what the target answered to the write (or the completion)
 * @param size     bytes written (the source's size)
 * @param md5      whole-object MD5: computed while streaming for single puts, the source's own (or null)
 *                 for multipart writes; null for server-side copies, whose bytes this process never sees
 * @param partCount the parts uploaded, for multipart writes; 0 otherwise
 * @param partMd5s MD5 of each part in part order, for multipart writes whose parts carried one; empty
 *                 otherwise (the target checked the parts by other means)
 * @param options  the target write options used (the rule's SSE-KMS says what an S3 ETag means where the
 *                 service does not say)
 */
public record WrittenReplica(String key, Method method, WriteResult result, long size, byte[] md5,
                             int partCount, List<byte[]> partMd5s, TargetOptions options) {

    public enum Method { SINGLE_PUT, MULTIPART, SERVER_SIDE }

    public WrittenReplica {
        partMd5s = List.copyOf(partMd5s);
        if (!partMd5s.isEmpty() && partMd5s.size() != partCount) {
            throw new IllegalArgumentException(partMd5s.size() + " part MD5s for " + partCount + " parts");
        }
    }
}
