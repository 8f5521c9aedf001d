package dev.skyferry.copy;

import dev.skyferry.logging.LogContext;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.store.ObjectStore.ByteRange;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.verify.Checksums;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the parts of one multipart copy into buffers from the {@link BufferBudget} and hands each to
 * the {@link PartUploads}. The GET already open reads parts from the front, in order; up to
 * {@code rangedStreams} more readers take parts from the back, each with a ranged GET of exactly the
 * version the open GET reads, until the two ends meet. One stream gets what one connection's window
 * and the service's speed per stream allow, often less than the uploads could take (across clouds,
 * and here, where the one read held the pace of 2 GiB copies: docs/benchmarks.md); the SDKs' own
 * parallel downloads read in ranges for the same reason.
 *
 * <p>Parts come from either end, so the whole-object MD5, which must see the bytes in order, can only
 * be hashed by a single stream: with one to check against, the open GET reads every part alone.
 */
final class PartReads {

    private final ReplicationTask task;
    private final OpenObject open;
    private final Precondition sameVersion;
    private final long size;
    private final long partSize;
    private final int partCount;
    private final BufferBudget budget;
    private final PartUploads uploads;
    private final boolean hashParts;
    private final FirstFailure rangedFailure = new FirstFailure();
    private volatile boolean stopped;
    /** The next part the open GET reads, and the last part nobody has taken yet; they meet in between. */
    private int front = 1;
    private int back;

    /**
     * @param sameVersion the precondition that pins ranged GETs to the version the open GET reads
     * @param hashParts   whether each part gets its own MD5 for the target to check
     */
    PartReads(ReplicationTask task, OpenObject open, Precondition sameVersion, long partSize, int partCount,
              BufferBudget budget, PartUploads uploads, boolean hashParts) {
        this.task = task;
        this.open = open;
        this.sameVersion = sameVersion;
        this.size = open.info().size();
        this.partSize = partSize;
        this.partCount = partCount;
        this.back = partCount;
        this.budget = budget;
        this.uploads = uploads;
        this.hashParts = hashParts;
    }

    /**
     * Reads every part and submits it for upload; returns once the last part is submitted (not
     * uploaded). With {@code wholeMd5} the open GET reads all parts in order and feeds it; otherwise up
     * to {@code rangedStreams} ranged GETs help from the back.
     */
    void readAll(MessageDigest wholeMd5, int rangedStreams) throws InterruptedException {
        List<Thread> rangedReaders = new ArrayList<>();
        // Ranged reads need a version to pin them to, and no whole-object MD5 that must see the bytes in order.
        if (wholeMd5 == null && !(sameVersion instanceof Precondition.None)) {
            for (int i = 0; i < rangedStreams && i < partCount - 1; i++) {
                Thread reader = Thread.ofVirtual().name("ranged-read-" + i + "-" + task.describe())
                        .unstarted(LogContext.carriedInto(this::readFromTheBack));
                rangedReaders.add(reader);
                reader.start();
            }
        }
        try {
            readFromTheFront(wholeMd5);
            for (Thread reader : rangedReaders) {
                reader.join();
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            // The ranged readers drop what they are reading, so the abort that follows comes after their last part.
            stopped = true;
            rangedReaders.forEach(Thread::interrupt);
            rangedReaders.forEach(PartReads::joinUninterruptibly);
            throw e;
        }
        throwIfRangedReadFailed();
    }

    private void readFromTheFront(MessageDigest wholeMd5) throws InterruptedException {
        InputStream in = open.content();
        boolean readToTheEnd = false;
        for (int part = takeFromTheFront(); part > 0; part = takeFromTheFront()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before part " + part);
            }
            throwIfRangedReadFailed();
            uploads.throwIfFailed();
            readAndSubmit(part, in, wholeMd5);
            readToTheEnd = part == partCount;
        }
        if (readToTheEnd) {
            expectEndOfStream(task, in, size);
        } else {
            // The rest was read in ranges: abort it now instead of holding the connection until the copy ends.
            open.close();
        }
    }

    private void readFromTheBack() {
        try {
            for (int part = takeFromTheBack(); part > 0; part = takeFromTheBack()) {
                if (stopped || rangedFailure.happened()) {
                    return;
                }
                uploads.throwIfFailed();
                try (OpenObject range = openRange(part)) {
                    readAndSubmit(part, range.content(), null);
                    expectEndOfStream(task, range.content(), lengthOf(part));
                }
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            rangedFailure.record(e);
        }
    }

    private OpenObject openRange(int part) {
        try {
            return task.source().open(task.sourceKey(), new ByteRange((part - 1) * partSize, lengthOf(part)), sameVersion);
        } catch (StoreException e) {
            boolean versionGone = e.kind() == StoreException.Kind.PRECONDITION_FAILED
                    || (e.kind() == StoreException.Kind.NOT_FOUND && !e.containerMissing());
            throw versionGone ? new SourceChanged(e) : e;
        }
    }

    private void readAndSubmit(int part, InputStream in, MessageDigest wholeMd5) throws InterruptedException {
        int length = lengthOf(part);
        // Read while earlier parts upload; submit then waits for an upload slot.
        BufferBudget.Lease lease = budget.acquire(length);
        MessageDigest partMd5 = hashParts ? Checksums.newMd5() : null;
        try {
            readPart(task, in, lease.buffer(), length, partMd5, wholeMd5);
        } catch (RuntimeException | Error e) {
            // An Error too: the worker survives an OutOfMemoryError (retried), and a lease kept here would
            // leave the budget a part smaller for good.
            lease.close();
            throw e;
        }
        uploads.submit(part, lease, hashParts ? partMd5.digest() : null);
    }

    private synchronized int takeFromTheFront() {
        return front <= back ? front++ : 0;
    }

    private synchronized int takeFromTheBack() {
        return front <= back ? back-- : 0;
    }

    private int lengthOf(int part) {
        return (int) Math.min(partSize, size - (part - 1) * partSize);
    }

    private void throwIfRangedReadFailed() {
        rangedFailure.throwIfAny("a ranged read of the source");
    }

    /**
     * The version being copied was replaced or deleted while its parts were read: not a failure of the
     * copy, which ends as superseded or source-gone once the write is aborted.
     */
    static final class SourceChanged extends RuntimeException {
        SourceChanged(StoreException cause) {
            super(cause.getMessage(), cause);
        }

        StoreException storeFailure() {
            return (StoreException) getCause();
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads exactly {@code length} bytes into {@code buffer} (position 0) and leaves it ready to read.
     * Hashes each read as it arrives, while the next bytes are still on the network, so the part's
     * upload can start the moment it is read instead of hashing 16 MiB first. Either digest may be null.
     */
    static void readPart(ReplicationTask task, InputStream in, ByteBuffer buffer, int length,
                         MessageDigest partMd5, MessageDigest wholeMd5) {
        byte[] array = buffer.array();
        int start = buffer.arrayOffset();
        int read = 0;
        try {
            while (read < length) {
                int n = in.read(array, start + read, length - read);
                if (n < 0) {
                    throw ReplicationFailure.transientFailure(ReasonCodes.SIZE_MISMATCH, task.describe()
                            + ": the source stream ended early, a part was " + read + " of " + length + " bytes");
                }
                if (partMd5 != null) {
                    partMd5.update(array, start + read, n);
                }
                if (wholeMd5 != null) {
                    wholeMd5.update(array, start + read, n);
                }
                read += n;
            }
            buffer.position(0).limit(length);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + task.source().uriOf(task.sourceKey()), e);
        }
    }

    static void expectEndOfStream(ReplicationTask task, InputStream in, long size) {
        try {
            if (in.read() != -1) {
                throw ReplicationFailure.transientFailure(ReasonCodes.SIZE_MISMATCH, task.describe()
                        + ": the source stream is longer than its declared " + size + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + task.source().uriOf(task.sourceKey()), e);
        }
    }
}
