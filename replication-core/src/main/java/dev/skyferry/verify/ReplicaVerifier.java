package dev.skyferry.verify;

import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a written replica against what the target reports, and removes it when they disagree: a
 * replica that failed verification must not stand, because the next event for the same source
 * version would find its provenance and call it already replicated.
 *
 * <p>Streamed copies are checked without extra requests, from the write's own response: the
 * Content-MD5 the store reports for a single put (Azure always; S3 when its ETag is an MD5, i.e. not
 * under SSE-KMS), and for S3 multipart writes the ETag, which is the MD5 of the part MD5s plus
 * "-N" (its part count alone where the parts went without MD5s, checked against their signed SHA-256
 * instead). Azure block commits report nothing to compare; there each block's MD5 was checked by the
 * service on upload, and the block list's own MD5 on commit. Server-side copies never passed through
 * this process, so their replica is read back with one HEAD and checked for its size only: the MD5 it
 * carries is the one the copy told the service to store (Put Block List stores it unchecked), which
 * would only be compared with itself. Their bytes are checked by the service where the copy is one Put
 * Blob From URL of a source with an MD5 ({@code x-ms-source-content-md5}); a source that changed during
 * the copy is caught by the copier, which looks at it again afterwards.
 *
 * <p>The source side (bytes read vs. the source's own checksum) is checked by the copier before it
 * commits, so a corrupted read never becomes visible at all.
 */
public final class ReplicaVerifier {

    private static final Pattern S3_MULTIPART_ETAG = Pattern.compile("([0-9a-fA-F]{32})-(\\d+)");

    /**
     * @throws ReplicationFailure {@code replica-verification-failed} after removing the replica
     *                            (conditional on the ETag the write returned, so nothing newer is touched)
     */
    public void verify(ObjectStore target, WrittenReplica replica) {
        Optional<String> mismatch = findMismatch(target, replica);
        if (mismatch.isPresent()) {
            throw ReplicationFailure.permanent(ReasonCodes.REPLICA_VERIFICATION_FAILED,
                    target.uriOf(replica.key()) + ": " + mismatch.get() + "; " + remove(target, replica));
        }
    }

    Optional<String> findMismatch(ObjectStore target, WrittenReplica replica) {
        return switch (replica.method()) {
            case SINGLE_PUT -> reportedMd5Mismatch(replica);
            case MULTIPART -> multipartEtagMismatch(target, replica).or(() -> reportedMd5Mismatch(replica));
            case SERVER_SIDE -> sizeReadBackMismatch(target, replica);
        };
    }

    private static Optional<String> reportedMd5Mismatch(WrittenReplica replica) {
        byte[] reported = replica.result().serviceMd5();
        if (reported == null || replica.md5() == null || Arrays.equals(reported, replica.md5())) {
            return Optional.empty();
        }
        return Optional.of("the target reports MD5 " + Checksums.base64(reported) + " for the bytes sent with MD5 "
                + Checksums.base64(replica.md5()));
    }

    private static Optional<String> multipartEtagMismatch(ObjectStore target, WrittenReplica replica) {
        if (target.kind() != StoreKind.S3 || replica.result().etag() == null) {
            return Optional.empty();
        }
        Matcher etag = S3_MULTIPART_ETAG.matcher(replica.result().etag());
        if (!etag.matches()) {
            return Optional.empty();
        }
        int committedParts = Integer.parseInt(etag.group(2));
        if (committedParts != replica.partCount()) {
            return Optional.of("the target committed " + committedParts + " parts, " + replica.partCount()
                    + " were uploaded");
        }
        if (replica.partMd5s().isEmpty() || etagIsNotFromPartMd5s(replica)) {
            return Optional.empty();
        }
        String expected = Checksums.s3MultipartEtag(replica.partMd5s());
        if (!expected.equalsIgnoreCase(replica.result().etag())) {
            return Optional.of("the multipart ETag is " + replica.result().etag() + ", the uploaded parts give "
                    + expected + " (KMS ETags are not MD5s: if the bucket encrypts with SSE-KMS and the service does"
                    + " not say so, set the rule's s3Target.serverSideEncryption to aws:kms)");
        }
        return Optional.empty();
    }

    /**
     * Under SSE-KMS (and DSSE-KMS) S3 ETags are not derived from MD5s. What the service answered decides,
     * since a bucket's default encryption applies KMS without the rule asking; the rule's own setting
     * counts too, for a service that does not say.
     */
    private static boolean etagIsNotFromPartMd5s(WrittenReplica replica) {
        String reported = replica.result().serverSideEncryption();
        String configured = replica.options() == null ? null : replica.options().s3ServerSideEncryption();
        return isKms(reported) || isKms(configured);
    }

    private static boolean isKms(String serverSideEncryption) {
        return serverSideEncryption != null && serverSideEncryption.startsWith("aws:kms");
    }

    /**
     * Only this copy's write is judged: a replica another worker replaced (the next version, under If-Match
     * on this one) or removed (a delete handled meanwhile) between the commit and this HEAD is theirs,
     * correct, and must not be reported or deleted as a failed copy of this one.
     */
    private static Optional<String> sizeReadBackMismatch(ObjectStore target, WrittenReplica replica) {
        Optional<ObjectInfo> written = target.stat(replica.key());
        String writtenEtag = replica.result().etag();
        if (writtenEtag != null && !written.map(ObjectInfo::etag).filter(writtenEtag::equals).isPresent()) {
            return Optional.empty();
        }
        if (written.isEmpty()) {
            return Optional.of("the replica is missing after the server-side copy");
        }
        ObjectInfo info = written.get();
        if (info.size() != replica.size()) {
            return Optional.of("the replica has " + info.size() + " bytes, the source " + replica.size());
        }
        return Optional.empty();
    }

    private static String remove(ObjectStore target, WrittenReplica replica) {
        String etag = replica.result().etag();
        if (etag == null) {
            return "the replica was left in place (the write returned no ETag to delete it safely); delete it by hand";
        }
        try {
            target.delete(replica.key(), Precondition.ifMatch(etag));
            return "the replica was deleted";
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return "the replica is already gone";
            }
            return "the replica could not be deleted (" + e.kind() + ": " + e.getMessage() + "); delete it by hand";
        }
    }
}
