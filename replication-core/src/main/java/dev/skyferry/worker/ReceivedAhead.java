package dev.skyferry.worker;

import dev.skyferry.queue.ReceivedMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One source's messages received ahead of a free copy slot, so that a slot freed by a finished copy
 * starts the next one at once instead of waiting for a queue receive. Each message is kept invisible by
 * its own heartbeat from the moment it is received.
 *
 * <p>At most {@code capacity} messages wait here or are being received: a receive {@linkplain #reserve
 * reserves} room for what it asks before it is sent, so several receives can be in flight at once (a
 * queue's receive takes a round trip whatever it returns; one at a time, it is what copies wait for) and
 * together never bring more than fits.
 *
 * <p>It also counts the messages {@linkplain #take taken} from it until their copies are {@linkplain
 * #finished finished}, so that a source allowed one copy at a time can tell when it is {@linkplain #idle idle}.
 */
final class ReceivedAhead {

    /**
     * A received message and the heartbeat that keeps it invisible until it is settled.
     *
     * @param receivedNanos {@link System#nanoTime()} when its receive was answered
     */
    record Waiting(ReceivedMessage message, Heartbeat heartbeat, long receivedNanos) {}

    /**
     * Room for one receive's messages, held from before the receive is sent until its messages are
     * {@linkplain #fill added}; closing it frees whatever was not filled (a short or failed receive).
     */
    final class Reservation implements AutoCloseable {
        private int held;

        private Reservation(int held) {
            this.held = held;
        }

        /** Adds what the receive returned, at most what was reserved, and frees the rest of the room. */
        void fill(List<Waiting> received) {
            lock.lock();
            try {
                if (received.size() > held) {
                    throw new IllegalStateException(received.size() + " messages received for room reserved for " + held);
                }
                reserved -= held;
                held = 0;
                waiting.addAll(received);
                added.signalAll();
                roomMade.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                reserved -= held;
                held = 0;
                roomMade.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final int capacity;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int reserved;
    /** Messages taken and not yet finished: being copied, or on their way to a copy. */
    private int taken;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roomMade = lock.newCondition();
    private final Condition added = lock.newCondition();

    ReceivedAhead(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Blocks until {@code count} more messages fit beside those waiting and those being received, and holds their room. */
    Reservation reserve(int count) throws InterruptedException {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("can reserve 1.." + capacity + " messages, not " + count);
        }
        lock.lockInterruptibly();
        try {
            while (waiting.size() + reserved + count > capacity) {
                roomMade.await();
            }
            reserved += count;
            return new Reservation(count);
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a message waits, and takes the oldest; the caller says when it is {@link #finished}. */
    Waiting take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (waiting.isEmpty()) {
                added.await();
            }
            Waiting next = waiting.removeFirst();
            taken++;
            roomMade.signalAll();
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** A message {@linkplain #take taken} is copied, or was given back without a copy. */
    void finished() {
        lock.lock();
        try {
            taken--;
        } finally {
            lock.unlock();
        }
    }

    /** No message waits here or was taken and is not yet finished (a receive may be in flight). */
    boolean idle() {
        lock.lock();
        try {
            return waiting.isEmpty() && taken == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Takes every waiting message, e.g. to give them back to the queue. */
    List<Waiting> drain() {
        lock.lock();
        try {
            List<Waiting> all = new ArrayList<>(waiting);
            waiting.clear();
            roomMade.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }
}
