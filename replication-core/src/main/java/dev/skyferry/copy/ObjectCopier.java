package dev.skyferry.copy;

import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.plan.PendingPlan;
import dev.skyferry.plan.Plan;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStore.WriteResult;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.PresignedReads;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.UrlCopyTarget;
import dev.skyferry.verify.Checksums;
import dev.skyferry.verify.WrittenReplica;
import java.net.URL;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one object from source to target, as rclone's generic copy does: server-side where both
 * stores can (S3 → Azure via a pre-signed URL), otherwise streamed through this process with bounded
 * memory.
 *
 * <p>Streaming reads one GET of exactly the version the event names (If-Match on its ETag; a named S3
 * version only while it is the key's current one) sequentially into part buffers from the
 * {@link BufferBudget}, updates the whole-object MD5 in order while reading when the source reports an
 * MD5 to compare it with, and uploads parts in parallel, each with its own MD5 for the service to check
 * (unless the target checks parts by other means, {@link MultipartWrite#needsPartMd5()}); the next
 * parts are read while they upload. A large object with no whole MD5 to check is read by ranged GETs of
 * the same version too ({@link PartReads}). Objects up to the part size go in one put. Before anything
 * becomes visible (the put, or the multipart completion) the streamed MD5 is compared with the source's
 * own MD5 where the source has one. On any failure or interrupt the multipart write is aborted, so no
 * partial replica is ever visible.
 *
 * <p>Requests per object: the GET, tags when the rule copies them, and the put (or start + parts +
 * complete, and one ranged GET per part read from the back). Where the plan is
 * {@linkplain PendingPlan#assumingAbsent assumed} (targets that enforce conditional writes), a single
 * put goes first under If-None-Match and the planner's HEAD of the target follows only when the put
 * finds the target taken; otherwise the HEAD runs alongside the GET
 * ({@link PendingPlan}). Overwriting a replica of another version that no sequencer orders against
 * this one costs a HEAD of the source too. Loop prevention reads the replica marker from the GET
 * response, so a replica's echo event costs the GET's headers and nothing else.
 */
public final class ObjectCopier {

    private static final Logger log = LoggerFactory.getLogger(ObjectCopier.class);

    /** S3 allows 10 000 parts per upload, Azure 50 000 blocks per blob. */
    static final int S3_MAX_PARTS = 10_000;
    static final int AZURE_MAX_BLOCKS = 50_000;
    /** S3's object size limit (5 TiB); Azure block blobs hold far more than parts ever allow here. */
    static final long S3_MAX_OBJECT_SIZE = 5L * 1024 * 1024 * 1024 * 1024;
    /** How long a pre-signed source URL stays valid: each request gets its own, so one block's fetch. */
    static final Duration PRESIGNED_URL_VALIDITY = Duration.ofHours(1);

    private static final String CANNOT_VERIFY_COPY_SOURCE = "CannotVerifyCopySource";
    /** Put Blob / Put Block From URL take an {@code x-ms-copy-source} of at most 2 KiB. */
    static final int AZURE_MAX_COPY_SOURCE_CHARS = 2048;
    /** Not Azure's: this copier's own refusal of a pre-signed URL longer than that. */
    private static final String COPY_SOURCE_TOO_LONG = "CopySourceTooLong";

    private final CopySettings settings;
    private final BufferBudget budget;
    private final CopyMetrics metrics;
    /**
     * Targets that answered a URL copy with "not implemented" (Azurite, Azure Stack): a service either
     * implements Put Block From URL or not, so later copies to them stream at once instead of paying a
     * HEAD and a refused request per object first.
     */
    private final Set<String> targetsWithoutUrlCopy = ConcurrentHashMap.newKeySet();

    public ObjectCopier(CopySettings settings, BufferBudget budget, CopyMetrics metrics) {
        this.settings = settings;
        this.budget = budget;
        this.metrics = metrics;
    }

    /** Copies the task's source object to its target under the target precondition of a plan already made. */
    public CopyResult copy(ReplicationTask task, Plan.Copy plan) throws InterruptedException {
        return copy(task, PendingPlan.of(plan));
    }

    /**
     * Copies the task's source object to its target under the plan's target precondition. The plan may
     * still be in the making: the source is opened meanwhile, and the plan awaited before anything is
     * written. A plan that says {@link Plan.Skip skip} ends the copy as {@link CopyResult.NotCopied}.
     *
     * @throws ReplicationFailure   a named failure (checksum, metadata, limits, target changed)
     * @throws StoreException       a store failure (the planner's HEAD included), for the caller to classify
     * @throws InterruptedException the thread was interrupted; writes in progress were aborted
     */
    public CopyResult copy(ReplicationTask task, PendingPlan pending) throws InterruptedException {
        if (!crossesS3ToAzure(task) || settings.s3ToAzureMode() == S3ToAzureMode.STREAM) {
            return stream(task, pending, CopyResult.STREAMED);
        }
        String targetContainer = task.target().account() + "/" + task.target().container();
        if (settings.s3ToAzureMode() == S3ToAzureMode.AUTO && targetsWithoutUrlCopy.contains(targetContainer)) {
            return stream(task, pending, CopyResult.STREAMED);
        }
        if (!(task.source() instanceof PresignedReads presigner) || !(task.target() instanceof UrlCopyTarget urlTarget)) {
            if (settings.s3ToAzureMode() == S3ToAzureMode.SERVER_SIDE) {
                throw ReplicationFailure.permanent(ReasonCodes.SERVER_SIDE_UNAVAILABLE,
                        "copy.s3ToAzureMode is server-side, but the source store cannot pre-sign reads or the target"
                                + " cannot copy from a URL");
            }
            return stream(task, pending, CopyResult.STREAMED);
        }
        try {
            return copyServerSide(task, pending, presigner, urlTarget);
        } catch (StoreException e) {
            Optional<String> fallback = fallbackReason(e);
            if (settings.s3ToAzureMode() != S3ToAzureMode.AUTO || fallback.isEmpty()) {
                throw e;
            }
            metrics.serverSideFallback(fallback.get());
            if (e.kind() == StoreException.Kind.UNSUPPORTED && targetsWithoutUrlCopy.add(targetContainer)) {
                log.info("Azure container {} cannot copy from a URL ({}); S3 → Azure copies to it stream from now on",
                        targetContainer, e.getMessage());
            }
            return stream(task, pending, CopyResult.STREAMED_AFTER_FALLBACK);
        }
    }

    /** A created event is planned as Copy or Skip: what is not a copy is this. */
    private static CopyResult skippedBy(ReplicationTask task, Plan plan) {
        Plan.Skip skip = (Plan.Skip) plan;
        return new CopyResult.NotCopied(skip.reason(), task.describe() + ": " + skip.detail());
    }

    private static boolean crossesS3ToAzure(ReplicationTask task) {
        return task.source().kind() == StoreKind.S3 && task.target().kind() == StoreKind.AZURE_BLOB;
    }

    private static Optional<String> fallbackReason(StoreException e) {
        if (e.kind() == StoreException.Kind.UNSUPPORTED) {
            return Optional.of("unsupported");
        }
        if (CANNOT_VERIFY_COPY_SOURCE.equals(e.errorCode())) {
            return Optional.of("cannot-verify-copy-source");
        }
        if (COPY_SOURCE_TOO_LONG.equals(e.errorCode())) {
            return Optional.of("copy-source-too-long");
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- server-side

    private CopyResult copyServerSide(ReplicationTask task, PendingPlan pending, PresignedReads presigner,
                                      UrlCopyTarget urlTarget) throws InterruptedException {
        ReplicationEvent event = task.event();
        // A pre-signed URL cannot carry If-Match, so the version is checked here, with one HEAD.
        Optional<ObjectInfo> current = task.source().stat(task.sourceKey());
        if (current.isEmpty()) {
            return sourceGone(task);
        }
        ObjectInfo source = current.get();
        if (event.etag() != null && !event.etag().equals(source.etag())) {
            return superseded(task, "the source's ETag is now " + source.etag() + ", the event names " + event.etag());
        }
        Optional<String> newerVersion = newerVersionThanTheEvents(task, source);
        if (newerVersion.isPresent()) {
            return superseded(task, newerVersion.get());
        }
        Optional<CopyResult> notAnObject = notAnObjectToCopy(task, source);
        if (notAnObject.isPresent()) {
            return notAnObject.get();
        }
        checkTargetLimits(task, source.size());
        ReplicaAttributes attributes = ReplicaAttributes.prepare(task, source, tagsToCarry(task));
        Plan confirmed = pending.confirmed();
        if (!(confirmed instanceof Plan.Copy plan)) {
            return skippedBy(task, confirmed);
        }
        Optional<CopyResult> notCurrent = sourceMovedOn(task, plan, source);
        if (notCurrent.isPresent()) {
            return notCurrent.get();
        }
        byte[] sourceMd5 = source.contentMd5();
        WriteSpec spec = new WriteSpec(attributes.withSourceMd5(sourceMd5), source.size(), sourceMd5, task.targetOptions());
        Precondition version = event.immutableVersionId() != null
                ? new Precondition.Version(event.immutableVersionId()) : Precondition.NONE;
        Supplier<URL> signedSource = () -> {
            URL url = presigner.presignGet(task.sourceKey(), version, PRESIGNED_URL_VALIDITY);
            // A long key and an STS session token can take a signed URL past what Azure accepts as a source.
            int urlLength = url.toString().length();
            if (urlLength > AZURE_MAX_COPY_SOURCE_CHARS) {
                throw new StoreException(StoreException.Kind.BAD_REQUEST, 0, COPY_SOURCE_TOO_LONG, "the pre-signed URL of "
                        + task.source().uriOf(task.sourceKey()) + " is " + urlLength
                        + " characters; Azure copies from a URL of at most " + AZURE_MAX_COPY_SOURCE_CHARS, null, null);
            }
            return url;
        };
        // Azure moves these blocks, not this process: only the block limit, not the memory budget, sizes them.
        // (S3's 5 TiB object limit keeps them far below Azure's largest block.)
        long blockSize = partSizeWithin(source.size(), AZURE_MAX_BLOCKS);
        WriteResult result = writeToTarget(task, () -> urlTarget.copyFromUrl(task.targetKey(), signedSource, source.size(),
                blockSize, spec, plan.targetCondition()));
        if (version instanceof Precondition.None) {
            Optional<CopyResult> changed = sourceChangedDuringCopy(task, source, result);
            if (changed.isPresent()) {
                return changed.get();
            }
        }
        return new CopyResult.Copied(CopyResult.SERVER_SIDE, source.size(), new WrittenReplica(task.targetKey(),
                WrittenReplica.Method.SERVER_SIDE, result, source.size(), null, 0, List.of(), task.targetOptions()));
    }

    /**
     * A URL without a version id reads whatever the key holds when Azure fetches each block, so a source
     * overwritten during the copy leaves a replica that mixes two versions, of the right size, labelled
     * with the older one's provenance and MD5; its read-back cannot tell. One HEAD after the copy can:
     * if another version is there now (ETag or Last-Modified changed), the replica is removed (under
     * If-Match on what this copy wrote, so nothing newer is touched) and the newer version's own event
     * copies it. A source deleted since leaves the replica as it is: a block fetched after the delete
     * fails the copy, so the replica holds what the key held while Azure read it, and removing it is the
     * delete policy's call (under {@code ignore} a backup keeps it), not this copy's.
     */
    private static Optional<CopyResult> sourceChangedDuringCopy(ReplicationTask task, ObjectInfo copied, WriteResult written) {
        Optional<ObjectInfo> now = task.source().stat(task.sourceKey());
        if (now.isEmpty() || now.get().etag().equals(copied.etag())
                && Objects.equals(now.get().lastModified(), copied.lastModified())) {
            return Optional.empty();
        }
        try {
            task.target().delete(task.targetKey(), new Precondition.IfMatch(written.etag()));
        } catch (StoreException e) {
            // Already gone, or overwritten by a newer write: either way this copy's bytes do not stand.
            if (e.kind() != StoreException.Kind.NOT_FOUND && e.kind() != StoreException.Kind.PRECONDITION_FAILED) {
                throw e;
            }
        }
        return Optional.of(superseded(task, "the source changed while Azure copied it"
                + " (ETag " + copied.etag() + ", now " + now.get().etag() + "); the replica was removed"));
    }

    /**
     * A plan to overwrite a replica of another version that no sequencer orders against this one
     * ({@link Plan.Copy#onlyIfSourceIsCurrent}) holds only while the source is still the version this
     * copy read. This HEAD of the source comes after the plan's look at the target: a replica found there
     * that is newer than this copy was written from a source that had already moved on, which it sees.
     * A newer replica written after it fails this copy's If-Match on the one planned over.
     */
    private static Optional<CopyResult> sourceMovedOn(ReplicationTask task, Plan.Copy plan, ObjectInfo read) {
        if (!plan.onlyIfSourceIsCurrent()) {
            return Optional.empty();
        }
        Optional<ObjectInfo> now = task.source().stat(task.sourceKey());
        if (now.isEmpty()) {
            return Optional.of(sourceGone(task));
        }
        if (!now.get().etag().equals(read.etag())) {
            return Optional.of(superseded(task, "the target holds a replica of another version, and the source's ETag is now "
                    + now.get().etag() + ", not the " + read.etag() + " this copy read"));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- streamed

    private CopyResult stream(ReplicationTask task, PendingPlan pending, String action) throws InterruptedException {
        OpenObject open;
        try {
            open = task.source().open(task.sourceKey(), null, Precondition.ifMatch(task.event().etag()));
        } catch (StoreException e) {
            // What a look at the target says comes first, as when the plan is made before the GET (a late
            // event is stale, not superseded); an assumed plan looks now, on this rare path only.
            if (pending.confirmed() instanceof Plan.Skip skip) {
                return skippedBy(task, skip);
            }
            return notCopiedOnRead(task, e).orElseThrow(() -> e);
        }
        try (open) {
            ObjectInfo source = open.info();
            Optional<String> newerVersion = newerVersionThanTheEvents(task, source);
            if (newerVersion.isPresent()) {
                return pending.confirmed() instanceof Plan.Skip skip ? skippedBy(task, skip) : superseded(task, newerVersion.get());
            }
            Optional<CopyResult> notAnObject = notAnObjectToCopy(task, source);
            if (notAnObject.isPresent()) {
                return notAnObject.get();
            }
            checkTargetLimits(task, source.size());
            ReplicaAttributes attributes;
            try {
                attributes = ReplicaAttributes.prepare(task, source, tagsToCarry(task));
            } catch (StoreException e) {
                return notCopiedOnRead(task, e).orElseThrow(() -> e);
            }
            boolean inOnePut = source.size() <= settings.partSize();
            // A multipart write would upload every part before a conflict showed: look at the target first.
            Plan plan = inOnePut ? pending.await() : pending.confirmed();
            if (!(plan instanceof Plan.Copy copy)) {
                return skippedBy(task, plan);
            }
            return inOnePut
                    ? putWhole(task, pending, open, attributes, action)
                    : putInParts(task, copy, open, attributes, action);
        }
    }

    private CopyResult putWhole(ReplicationTask task, PendingPlan pending, OpenObject open, ReplicaAttributes attributes,
                                String action) throws InterruptedException {
        ObjectInfo source = open.info();
        int size = (int) source.size();
        try (BufferBudget.Lease lease = budget.acquire(size)) {
            ByteBuffer content = lease.buffer();
            MessageDigest contentMd5 = Checksums.newMd5();
            PartReads.readPart(task, open.content(), content, size, contentMd5, null);
            PartReads.expectEndOfStream(task, open.content(), size);
            byte[] md5 = contentMd5.digest();
            checkAgainstSourceChecksum(task, source, md5);
            WriteSpec spec = new WriteSpec(attributes.withSourceMd5(md5), size, md5, task.targetOptions());
            Optional<WriteResult> written = pending.isAssumption() ? putIfAbsent(task, content, spec) : Optional.empty();
            if (written.isEmpty()) {
                // Planned from a look at the target, or something is there after all (a duplicate event,
                // an earlier replica, someone else's object): the plan from a look at it decides.
                Plan plan = pending.confirmed();
                if (!(plan instanceof Plan.Copy copy)) {
                    return skippedBy(task, plan);
                }
                Optional<CopyResult> notCurrent = sourceMovedOn(task, copy, source);
                if (notCurrent.isPresent()) {
                    return notCurrent.get();
                }
                written = Optional.of(writeToTarget(task,
                        () -> task.target().put(task.targetKey(), content.duplicate(), spec, copy.targetCondition())));
            }
            return new CopyResult.Copied(action, size, new WrittenReplica(task.targetKey(),
                    WrittenReplica.Method.SINGLE_PUT, written.get(), size, md5, 0, List.of(), task.targetOptions()));
        }
    }

    /** The put of an assumed plan, under If-None-Match; empty when something is at the target already. */
    private static Optional<WriteResult> putIfAbsent(ReplicationTask task, ByteBuffer content, WriteSpec spec) {
        try {
            return Optional.of(task.target().put(task.targetKey(), content.duplicate(), spec, Precondition.IF_ABSENT));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private CopyResult putInParts(ReplicationTask task, Plan.Copy plan, OpenObject open, ReplicaAttributes attributes,
                                  String action) throws InterruptedException {
        ObjectInfo source = open.info();
        Optional<CopyResult> notCurrent = sourceMovedOn(task, plan, source);
        if (notCurrent.isPresent()) {
            return notCurrent.get();
        }
        long size = source.size();
        long partSize = partSizeFor(task, size);
        int partCount = (int) ((size + partSize - 1) / partSize);
        // The provenance MD5 is fixed when the write starts, before the bytes are read: only a checksum
        // the source itself reports can go there. The streamed MD5 is checked against it before commit.
        byte[] sourceMd5 = source.contentMd5();
        WriteSpec spec = new WriteSpec(attributes.withSourceMd5(sourceMd5), size, sourceMd5, task.targetOptions());
        MultipartWrite write = task.target().startMultipart(task.targetKey(), spec, plan.targetCondition());
        PartUploads uploads = new PartUploads(write, settings.partsInFlightPerObject(), partCount);
        try {
            // Only a checksum the source reports can catch a corrupted read of the whole stream; without
            // one (multipart S3 objects, most large blobs) hashing every byte a second time — besides the
            // per-part check the target makes — would cost CPU and check nothing.
            MessageDigest wholeMd5 = sourceMd5 != null ? Checksums.newMd5() : null;
            boolean hashParts = write.needsPartMd5();
            new PartReads(task, open, sameVersion(task, source), partSize, partCount, budget, uploads, hashParts)
                    .readAll(wholeMd5, settings.readStreamsPerObject() - 1);
            uploads.awaitAll();
            if (wholeMd5 != null) {
                checkAgainstSourceChecksum(task, source, wholeMd5.digest());
            }
            WriteResult result = writeToTarget(task, write::complete);
            return new CopyResult.Copied(action, size, new WrittenReplica(task.targetKey(),
                    WrittenReplica.Method.MULTIPART, result, size, sourceMd5, partCount,
                    hashParts ? uploads.partMd5s() : List.of(), task.targetOptions()));
        } catch (InterruptedException e) {
            uploads.cancel(true);
            abortQuietly(write, e);
            throw e;
        } catch (PartReads.SourceChanged e) {
            uploads.cancel(false);
            abortQuietly(write, e);
            return notCopiedOnRead(task, e.storeFailure()).orElseThrow(e::storeFailure);
        } catch (RuntimeException | Error e) {
            // A part cut off mid-request may still land after the abort (S3 says so for in-progress
            // parts), so on an ordinary failure the parts in flight are allowed to finish first.
            uploads.cancel(false);
            abortQuietly(write, e);
            throw e;
        }
    }

    /**
     * The configured part size, or larger when the object would otherwise need more parts than the
     * target allows; such parts must still fit in the memory budget.
     */
    private long partSizeFor(ReplicationTask task, long size) {
        int maxParts = task.target().kind() == StoreKind.S3 ? S3_MAX_PARTS : AZURE_MAX_BLOCKS;
        long partSize = partSizeWithin(size, maxParts);
        if (partSize > budget.limit() || partSize > CopySettings.MAX_PART_SIZE) {
            throw ReplicationFailure.permanent(ReasonCodes.OBJECT_TOO_LARGE, size + " bytes need parts of "
                    + partSize + " bytes to stay within " + maxParts + " parts, more than the memory budget ("
                    + budget.limit() + " bytes) or the largest part (" + CopySettings.MAX_PART_SIZE + " bytes)");
        }
        return partSize;
    }

    /** The configured part size, or the fewest whole MiB that split {@code size} into {@code maxParts} parts at most. */
    private long partSizeWithin(long size, int maxParts) {
        long needed = (size + maxParts - 1) / maxParts;
        return needed <= settings.partSize() ? settings.partSize() : roundUpToMebibyte(needed);
    }

    /**
     * An event names the S3 version it created, and reading that version by its id would succeed long
     * after it stopped being current (overwritten, or under a delete marker). The copy reads the key's
     * current version instead, and goes ahead only if that is the event's: a replica never goes back to
     * an older version, nor returns after its key was deleted. The newer version's own event follows.
     */
    private static Optional<String> newerVersionThanTheEvents(ReplicationTask task, ObjectInfo current) {
        String named = task.event().versionId();
        if (named == null || current.versionId() == null || named.equals(current.versionId())) {
            return Optional.empty();
        }
        return Optional.of("the key's current version is " + current.versionId() + ", the event names " + named);
    }

    /**
     * What pins ranged reads to the version the open GET reads: the event's version id, else the ETag
     * that GET returned (If-Match; a replaced object fails the read instead of mixing two versions).
     */
    private static Precondition sameVersion(ReplicationTask task, ObjectInfo source) {
        return task.event().immutableVersionId() != null
                ? new Precondition.Version(task.event().immutableVersionId())
                : Precondition.ifMatch(source.etag());
    }

    private static long roundUpToMebibyte(long bytes) {
        return (bytes + CopySettings.MIB - 1) / CopySettings.MIB * CopySettings.MIB;
    }

    private static void checkTargetLimits(ReplicationTask task, long size) {
        if (task.target().kind() == StoreKind.S3 && size > S3_MAX_OBJECT_SIZE) {
            throw ReplicationFailure.permanent(ReasonCodes.OBJECT_TOO_LARGE,
                    size + " bytes exceed S3's object size limit of " + S3_MAX_OBJECT_SIZE + " bytes");
        }
    }

    private static Map<String, String> tagsToCarry(ReplicationTask task) {
        return task.rule().copyTags() ? task.source().readTags(task.sourceKey()) : Map.of();
    }

    /** The source's own MD5 is the reference; a multipart ETag never is (stores do not report one as MD5). */
    private static void checkAgainstSourceChecksum(ReplicationTask task, ObjectInfo source, byte[] streamedMd5) {
        if (source.contentMd5() != null && !Arrays.equals(source.contentMd5(), streamedMd5)) {
            throw ReplicationFailure.permanent(ReasonCodes.CHECKSUM_MISMATCH, task.source().uriOf(task.sourceKey())
                    + ": read bytes with MD5 " + Checksums.base64(streamedMd5) + " but the source reports "
                    + Checksums.base64(source.contentMd5()) + "; the bytes were corrupted on the way, nothing was written");
        }
    }

    /** A target write whose precondition failed lost a race: planning again decides what is right. */
    private static WriteResult writeToTarget(ReplicationTask task, TargetWrite write) {
        try {
            return write.run();
        } catch (StoreException e) {
            // A 404 here is the target vanishing under If-Match, unless the bucket is gone or Azure could
            // not fetch a copy source (CannotVerifyCopySource comes with 404 too).
            boolean lostRace = e.kind() == StoreException.Kind.PRECONDITION_FAILED
                    || (e.kind() == StoreException.Kind.NOT_FOUND && !e.containerMissing()
                        && !CANNOT_VERIFY_COPY_SOURCE.equals(e.errorCode()));
            if (lostRace) {
                throw ReplicationFailure.transientFailure(ReasonCodes.TARGET_CHANGED, task.target().uriOf(task.targetKey())
                        + " changed since it was planned (" + e.getMessage() + ")");
            }
            throw e;
        }
    }

    @FunctionalInterface
    private interface TargetWrite {
        WriteResult run();
    }

    private static void abortQuietly(MultipartWrite write, Throwable cause) {
        // An interrupted thread would make the SDK refuse the abort; clear the flag for it, then restore.
        boolean interrupted = Thread.interrupted();
        try {
            write.abort();
        } catch (RuntimeException abortFailure) {
            cause.addSuppressed(abortFailure);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Optional<CopyResult> notCopiedOnRead(ReplicationTask task, StoreException e) {
        if (e.kind() == StoreException.Kind.NOT_FOUND && !e.containerMissing()) {
            return Optional.of(sourceGone(task));
        }
        if (e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
            // Some services answer If-Match on a deleted object with 412 rather than 404 (Azurite does):
            // one HEAD, on this rare path only, tells a deleted source from a replaced one.
            if (task.source().stat(task.sourceKey()).isEmpty()) {
                return Optional.of(sourceGone(task));
            }
            return Optional.of(superseded(task, "the source no longer has the version the event names ("
                    + e.getMessage() + ")"));
        }
        if (e.kind() == StoreException.Kind.ARCHIVED) {
            // An archived object cannot be read, but a HEAD still shows its metadata: the event of a replica
            // written to an archive tier is an echo, not an object to dead-letter.
            Optional<ObjectInfo> archived = task.source().stat(task.sourceKey());
            if (archived.isPresent() && isEcho(task, archived.get())) {
                return Optional.of(echo(task));
            }
        }
        return Optional.empty();
    }

    private static CopyResult sourceGone(ReplicationTask task) {
        return new CopyResult.NotCopied(ReasonCodes.SOURCE_GONE, task.source().uriOf(task.sourceKey()) + " no longer exists");
    }

    private static CopyResult superseded(ReplicationTask task, String why) {
        return new CopyResult.NotCopied(ReasonCodes.SUPERSEDED, task.source().uriOf(task.sourceKey()) + ": " + why
                + "; a newer event follows");
    }

    /** What the source's own metadata says is no object of its own to back up: a replica's echo, or a directory. */
    private static Optional<CopyResult> notAnObjectToCopy(ReplicationTask task, ObjectInfo source) {
        if (isEcho(task, source)) {
            return Optional.of(echo(task));
        }
        if (source.isDirectoryEntry()) {
            return Optional.of(directoryEntry(task));
        }
        return Optional.empty();
    }

    private static boolean isEcho(ReplicationTask task, ObjectInfo source) {
        return Provenance.isEcho(source.attributes().userMetadata(), task.rule().name(),
                task.target().uriOf(task.targetKey()));
    }

    /**
     * A directory made through the Blob API (Put Blob with {@code hdi_isfolder}) may raise BlobCreated. Copied, it
     * would be an empty object beside its files (and a directory again wherever the replica reaches an HNS account).
     */
    private static CopyResult directoryEntry(ReplicationTask task) {
        return new CopyResult.NotCopied(ReasonCodes.DIRECTORY_ENTRY, task.source().uriOf(task.sourceKey())
                + " is a hierarchical-namespace directory, not a file; the files in it are replicated on their own");
    }

    private static CopyResult echo(ReplicationTask task) {
        return new CopyResult.NotCopied(ReasonCodes.ECHO_OF_REPLICA, task.source().uriOf(task.sourceKey())
                + " is a replica Skyferry wrote; copying it back would loop");
    }
}
