package dev.skyferry.ops.diff;

import dev.skyferry.ops.diff.Verdict.Kind;
import dev.skyferry.plan.Provenance;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.RouteDecision;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a source object's replica is in place, by size and checksum or provenance — never
 * by modification time, which differs between a source and its replica by design. Uses what the
 * listings carry and asks the stores (HEAD) only when that is not enough:
 * <ol>
 *   <li>same size and same MD5 on both sides: in sync, whoever wrote it;</li>
 *   <li>a replica ({@value Provenance#REPLICA_MARKER}) of this source URI whose recorded
 *       {@value Provenance#SOURCE_ETAG} is the source's ETag, or whose {@value Provenance#SOURCE_MD5}
 *       is the source's MD5, with the same size: in sync;</li>
 *   <li>otherwise different; no object at all: missing — unless the source object is itself a
 *       replica, which must never be copied back (loop prevention, as in the worker).</li>
 * </ol>
 * Thread-safe; one instance per {@link SyncPair}.
 */
public final class ReplicaCheck {

    private static final Pattern HEX_MD5 = Pattern.compile("[0-9a-fA-F]{32}");

    private final SyncPair pair;
    private final boolean confirm;

    private ReplicaCheck(SyncPair pair, boolean confirm) {
        this.pair = pair;
        this.confirm = confirm;
    }

    /**
     * For reports (diff, dry runs, enqueueing): an object the paired listing found no replica for is
     * confirmed missing with a HEAD of the target, and its source is checked for the replica marker
     * (a HEAD where the listing carries no metadata), so every line is exact.
     */
    public static ReplicaCheck confirming(SyncPair pair) {
        return new ReplicaCheck(pair, true);
    }

    /**
     * For handing objects to the pipeline, which HEADs the target and reads the source's marker itself
     * before it copies: an object without a listed replica is passed on unconfirmed, saving two
     * requests per object in a fresh backfill. Its verdict may then be MISSING for an object the
     * pipeline skips (already replicated, or an echo of a replica).
     */
    public static ReplicaCheck forPipeline(SyncPair pair) {
        return new ReplicaCheck(pair, false);
    }

    /**
     * @param source       the source object as listed
     * @param listedTarget the target entry listed at the replica's key, or null when the paired
     *                     listing found none there (then a HEAD confirms)
     */
    public Verdict check(ObjectInfo source, ObjectInfo listedTarget) {
        RouteDecision decision = pair.rules().routeKey(pair.rule().name(), pair.sourceKind(), source.key());
        if (decision instanceof RouteDecision.Rejected rejected) {
            return new Verdict(rejected.code().deliberateSkip() ? Kind.EXCLUDED : Kind.UNREPLICABLE,
                    source, null, null, rejected.reason());
        }
        String targetKey = ((RouteDecision.Routed) decision).route().target().key();
        if (listsMetadata(pair.source()) && isEcho(source, targetKey)) {
            return replicaAtSource(source, targetKey);
        }
        ObjectInfo target = listedTarget != null || !confirm ? listedTarget : pair.target().stat(targetKey).orElse(null);
        if (target == null) {
            return (confirm || listsMetadata(pair.source())) && sourceIsEcho(source, targetKey)
                    ? replicaAtSource(source, targetKey)
                    : new Verdict(Kind.MISSING, source, targetKey, null, "no object at " + where(pair.target(), targetKey));
        }
        if (sameContent(source, target)) {
            return new Verdict(Kind.IN_SYNC, source, targetKey, target, "same size and MD5");
        }
        if (!listsMetadata(pair.target()) && target == listedTarget) {
            target = pair.target().stat(targetKey).orElse(null);
            if (target == null) {
                return check(source, null); // deleted since it was listed: decide again from scratch
            }
        }
        Map<String, String> metadata = target.attributes().userMetadata();
        if (!Provenance.isReplica(metadata)) {
            if (sourceIsEcho(source, targetKey)) {
                return replicaAtSource(source, targetKey);
            }
            return new Verdict(Kind.DIFFERENT, source, targetKey, target, "target holds an object Skyferry did not write"
                    + " (size " + target.size() + ", source " + source.size() + ")");
        }
        String expectedUri = Provenance.sourceUriValue(pair.source().uriOf(source.key()));
        String recordedUri = Provenance.get(metadata, Provenance.SOURCE_URI);
        if (recordedUri != null && !recordedUri.equals(expectedUri)) {
            return new Verdict(Kind.DIFFERENT, source, targetKey, target,
                    "target is a replica of " + recordedUri + ", not of " + expectedUri);
        }
        if (target.size() != source.size()) {
            return new Verdict(Kind.DIFFERENT, source, targetKey, target,
                    "size differs: source " + source.size() + ", replica " + target.size());
        }
        String recordedEtag = Provenance.get(metadata, Provenance.SOURCE_ETAG);
        if (recordedEtag != null && unquoteEtag(recordedEtag).equals(unquoteEtag(source.etag()))) {
            return new Verdict(Kind.IN_SYNC, source, targetKey, target, "replica of source etag " + unquoteEtag(source.etag()));
        }
        byte[] sourceMd5 = md5(source);
        String recordedMd5 = Provenance.get(metadata, Provenance.SOURCE_MD5);
        if (sourceMd5 != null && recordedMd5 != null && recordedMd5.equals(Base64.getEncoder().encodeToString(sourceMd5))) {
            return new Verdict(Kind.IN_SYNC, source, targetKey, target, "replica with the source's MD5");
        }
        return new Verdict(Kind.DIFFERENT, source, targetKey, target, "replica was made from etag " + recordedEtag
                + ", source is now etag " + unquoteEtag(source.etag()));
    }

    /**
     * A target entry no source object paired with: an extra when it is a replica of this rule whose
     * source is gone. Extras the rule's delete policy keeps on purpose (ignore, or a tombstone) are
     * reported as expected.
     *
     * @return empty when the entry is not an extra (not a replica, not under this rule, or its source exists)
     */
    public Optional<Extra> checkUnpaired(ObjectInfo listedTarget) {
        Optional<String> sourceKey = pair.rules().sourceKeyFor(pair.rule().name(), pair.sourceKind(), listedTarget.key());
        if (sourceKey.isEmpty()) {
            return Optional.empty();
        }
        ObjectInfo target = listedTarget;
        if (!listsMetadata(pair.target())) {
            target = pair.target().stat(listedTarget.key()).orElse(null);
            if (target == null) {
                return Optional.empty();
            }
        }
        Map<String, String> metadata = target.attributes().userMetadata();
        if (!Provenance.isReplica(metadata)) {
            return Optional.empty();
        }
        String expectedUri = Provenance.sourceUriValue(pair.source().uriOf(sourceKey.get()));
        String recordedUri = Provenance.get(metadata, Provenance.SOURCE_URI);
        if (recordedUri != null && !recordedUri.equals(expectedUri)) {
            return Optional.empty(); // another rule's or direction's replica: not ours to judge
        }
        if (pair.source().stat(sourceKey.get()).isPresent()) {
            return Optional.empty(); // paired late: the listings' orders disagreed
        }
        String tombstone = Provenance.get(metadata, Provenance.SOURCE_DELETED_AT);
        DeletePolicy policy = pair.rule().deletes();
        boolean expected = policy == DeletePolicy.IGNORE || (policy == DeletePolicy.TOMBSTONE && tombstone != null);
        String detail = "replica of " + expectedUri + ", which is gone"
                + (tombstone != null ? "; tombstoned at " + tombstone : "")
                + (expected ? " (kept by the rule's deletes: " + policy.name().toLowerCase(Locale.ROOT) + ")"
                : policy == DeletePolicy.PROPAGATE ? " (deletes: propagate should have removed it)"
                : " (deletes: tombstone should have marked it)");
        return Optional.of(new Extra(sourceKey.get(), target, expected, detail));
    }

    /**
     * @param sourceKey where its source was
     * @param expected  the rule's delete policy keeps it on purpose: reported, but not drift
     */
    public record Extra(String sourceKey, ObjectInfo target, boolean expected, String detail) {}

    private Verdict replicaAtSource(ObjectInfo source, String targetKey) {
        return new Verdict(Kind.SOURCE_IS_REPLICA, source, targetKey, null,
                "the source object is a Skyferry replica; copying it back would loop");
    }

    private boolean sourceIsEcho(ObjectInfo source, String targetKey) {
        if (listsMetadata(pair.source())) {
            return isEcho(source, targetKey);
        }
        return pair.source().stat(source.key()).map(info -> isEcho(info, targetKey)).orElse(false);
    }

    /** The worker's own test (ObjectCopier): a replica this rule wrote, not someone's copy of one. */
    private boolean isEcho(ObjectInfo source, String targetKey) {
        return Provenance.isEcho(source.attributes().userMetadata(), pair.rule().name(), pair.target().uriOf(targetKey));
    }

    /**
     * Whether a store's listings carry user metadata. Azure's List Blobs can include it, and
     * {@code AzureBlobStore.list} asks for it; S3's ListObjectsV2 cannot. Where a listing has none,
     * a HEAD fetches it when a decision needs it.
     */
    static boolean listsMetadata(ObjectStore store) {
        return store.kind() == StoreKind.AZURE_BLOB;
    }

    /** Same size and the same whole-object MD5: the same bytes, whoever wrote them. */
    static boolean sameContent(ObjectInfo a, ObjectInfo b) {
        if (a.size() != b.size()) {
            return false;
        }
        byte[] ma = md5(a);
        byte[] mb = md5(b);
        return ma != null && mb != null && Arrays.equals(ma, mb);
    }

    /**
     * The object's MD5: the store's, or else a plain 32-hex ETag read as one. An S3 listing cannot
     * tell whether such an ETag is an MD5 (SSE-KMS ETags look the same), but only equality is ever
     * concluded from it, and an ETag that is not an MD5 equals the other side's MD5 only by a
     * 2^-128 accident.
     */
    static byte[] md5(ObjectInfo info) {
        if (info.contentMd5() != null) {
            return info.contentMd5();
        }
        String etag = info.etag() == null ? null : unquoteEtag(info.etag());
        return etag != null && HEX_MD5.matcher(etag).matches() ? HexFormat.of().parseHex(etag) : null;
    }

    /** An ETag without surrounding quotes; null stays null. */
    public static String unquoteEtag(String etag) {
        if (etag == null) {
            return null;
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String where(ObjectStore store, String key) {
        return store.kind() == StoreKind.S3 ? "s3://" + store.container() + "/" + key
                : "azure://" + store.account() + "/" + store.container() + "/" + key;
    }
}
