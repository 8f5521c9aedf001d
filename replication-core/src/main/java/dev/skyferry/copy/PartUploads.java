package dev.skyferry.copy;

import dev.skyferry.logging.LogContext;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The parts of one multipart write, uploaded in parallel on virtual threads: at most
 * {@code partsInFlight} parts are being uploaded at once, while the {@link PartReads} read the next
 * parts into buffers of their own (so the source streams keep flowing instead of stalling until an
 * upload ends). Each part comes with its MD5 (hashed as the bytes arrived) where the target needs one,
 * sent for the service to check; its buffer goes back as soon as the part is stored.
 *
 * <p>The first failure stops further uploads. {@link #cancel} waits for the uploads still running
 * (interrupting them on shutdown), so that an abort that follows is final.
 */
final class PartUploads {

    /** How long a cancel waits for uploads to end; the SDKs' own call timeouts bound them too. */
    private static final long FINISH_WAIT_SECONDS = 300;
    private static final long INTERRUPTED_WAIT_SECONDS = 30;

    private final MultipartWrite write;
    private final int partsInFlight;
    private final Semaphore slots;
    private final byte[][] partMd5s;
    private final FirstFailure failure = new FirstFailure();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();

    PartUploads(MultipartWrite write, int partsInFlight, int partCount) {
        this.write = write;
        this.partsInFlight = partsInFlight;
        this.slots = new Semaphore(partsInFlight);
        this.partMd5s = new byte[partCount][];
    }

    /**
     * Waits for a free upload slot, then uploads the part held in {@code lease} (flipped, ready to read)
     * with its {@code md5} (null where the target needs none) and releases the lease when done. If
     * interrupted while waiting, the lease is released at once.
     */
    void submit(int partNumber, BufferBudget.Lease lease, byte[] md5) throws InterruptedException {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            lease.close();
            throw e;
        }
        Thread upload = Thread.ofVirtual().name("part-" + partNumber + "-" + write.uploadId()).unstarted(LogContext.carriedInto(() -> {
            try {
                if (!failure.happened()) {
                    write.uploadPart(partNumber, lease.buffer().duplicate(), md5);
                    partMd5s[partNumber - 1] = md5;
                }
            } catch (Throwable t) {
                failure.record(t);
            } finally {
                lease.close();
                running.remove(Thread.currentThread());
                slots.release();
            }
        }));
        running.add(upload);
        upload.start();
    }

    /** Throws the first upload failure, if any. */
    void throwIfFailed() {
        failure.throwIfAny("part upload");
    }

    /** Waits for every submitted part, then throws the first failure, if any. */
    void awaitAll() throws InterruptedException {
        slots.acquire(partsInFlight);
        slots.release(partsInFlight);
        throwIfFailed();
    }

    /** The part MD5s in part order, when every part came with one; valid after {@link #awaitAll()} returned. */
    List<byte[]> partMd5s() {
        List<byte[]> md5s = new ArrayList<>(partMd5s.length);
        for (byte[] md5 : partMd5s) {
            md5s.add(md5);
        }
        return md5s;
    }

    /**
     * Starts no further part and waits for the uploads still running to end, so that the abort which
     * follows comes after the last part. Keeps the caller's interrupt status but does not let it cut
     * the wait short.
     *
     * @param interruptRunning true on shutdown: interrupt the uploads instead of letting them finish
     */
    void cancel(boolean interruptRunning) {
        failure.record(new IllegalStateException("cancelled"));
        if (interruptRunning) {
            running.forEach(Thread::interrupt);
        }
        boolean interrupted = Thread.interrupted();
        try {
            long wait = interruptRunning ? INTERRUPTED_WAIT_SECONDS : FINISH_WAIT_SECONDS;
            if (slots.tryAcquire(partsInFlight, wait, TimeUnit.SECONDS)) {
                slots.release(partsInFlight);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
