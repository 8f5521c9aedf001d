package dev.skyferry.copy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global bound on part buffers across all copies, and the pool that reuses them. A copy acquires
 * a buffer before reading a part into it and releases it once the part is uploaded; acquiring blocks
 * while the budget is spent. Waiters are served in arrival order, so a part-sized request is never
 * starved by a stream of small ones.
 *
 * <p>The budget counts every buffer byte this class holds, in use or idle in the pool, so the heap
 * taken by buffers never exceeds the limit: idle pooled buffers are dropped when a request needs
 * their room. Buffers of about the part size are pooled (a 2 GiB object reuses the same few
 * buffers); small objects get exact-size arrays, which the young generation reclaims cheaply.
 */
public final class BufferBudget {

    private final long limit;
    private final int pooledBufferSize;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Object> waiters = new ArrayDeque<>();
    private final Deque<ByteBuffer> idle = new ArrayDeque<>();
    private long inUse;
    private long highWaterMark;
    private long bytesAllocated;

    /**
     * @param limitBytes       the most buffer bytes held at once
     * @param pooledBufferSize the part size: buffers of this capacity are kept for reuse
     */
    public BufferBudget(long limitBytes, long pooledBufferSize) {
        if (pooledBufferSize < 1 || pooledBufferSize > CopySettings.MAX_PART_SIZE) {
            throw new IllegalArgumentException("pooled buffer size must be between 1 and " + CopySettings.MAX_PART_SIZE
                    + " bytes, was " + pooledBufferSize);
        }
        if (limitBytes < pooledBufferSize) {
            throw new IllegalArgumentException("buffer budget must hold at least one part (" + pooledBufferSize
                    + " bytes), was " + limitBytes);
        }
        this.limit = limitBytes;
        this.pooledBufferSize = (int) pooledBufferSize;
    }

    public static BufferBudget forSettings(CopySettings settings) {
        return new BufferBudget(settings.memoryBudget(), settings.partSize());
    }

    /**
     * Blocks until a buffer of {@code size} bytes fits in the budget. The returned buffer has position
     * 0 and limit {@code size}; close the lease to give it back.
     *
     * @throws IllegalArgumentException when {@code size} alone exceeds the budget
     */
    public Lease acquire(int size) throws InterruptedException {
        if (size == 0) {
            return new Lease(ByteBuffer.allocate(0), 0, false);
        }
        boolean pooled = size > pooledBufferSize / 2 && size <= pooledBufferSize;
        long cost = pooled ? pooledBufferSize : size;
        if (cost > limit) {
            throw new IllegalArgumentException("a buffer of " + size + " bytes exceeds the whole memory budget of " + limit);
        }
        ByteBuffer reused = null;
        Object me = new Object();
        lock.lockInterruptibly();
        try {
            waiters.addLast(me);
            try {
                while (true) {
                    if (waiters.peekFirst() == me) {
                        if (pooled && !idle.isEmpty()) {
                            reused = idle.pop();
                            break;
                        }
                        if (held() + cost <= limit) {
                            break;
                        }
                        if (!idle.isEmpty()) {
                            idle.pop(); // drop an idle buffer to make room; the GC takes it back
                            continue;
                        }
                    }
                    changed.await();
                }
                inUse += cost;
                if (reused == null) {
                    bytesAllocated += cost;
                }
                highWaterMark = Math.max(highWaterMark, held());
            } finally {
                waiters.remove(me);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        // Allocate outside the lock: zeroing a part-sized array takes a while.
        ByteBuffer buffer = reused != null ? reused : ByteBuffer.allocate((int) cost);
        buffer.clear().limit(size);
        return new Lease(buffer, cost, pooled);
    }

    private void release(ByteBuffer buffer, long cost, boolean pooled) {
        lock.lock();
        try {
            inUse -= cost;
            if (pooled) {
                idle.push(buffer);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes in buffers that copies hold right now (the {@code skyferry_buffered_bytes} gauge). */
    public long inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** The most buffer bytes ever held at once, in use or idle; never above {@link #limit()}. */
    public long highWaterMark() {
        lock.lock();
        try {
            return highWaterMark;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of buffers ever allocated: stays near the budget when buffers are reused. */
    public long bytesAllocated() {
        lock.lock();
        try {
            return bytesAllocated;
        } finally {
            lock.unlock();
        }
    }

    public long limit() {
        return limit;
    }

    /** Copies waiting for a buffer right now. */
    public int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private long held() {
        return inUse + (long) idle.size() * pooledBufferSize;
    }

    /** One acquired buffer. Closing it returns the buffer; closing twice is harmless. */
    public final class Lease implements AutoCloseable {
        private final ByteBuffer buffer;
        private final long cost;
        private final boolean pooled;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(ByteBuffer buffer, long cost, boolean pooled) {
            this.buffer = buffer;
            this.cost = cost;
            this.pooled = pooled;
        }

        /** The buffer: position 0, limit the requested size, backed by an array. */
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public void close() {
            if (cost > 0 && released.compareAndSet(false, true)) {
                release(buffer, cost, pooled);
            }
        }
    }
}
