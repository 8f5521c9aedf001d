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
 * <p>At most {@code capacity} messages wait; the receive loop tops the buffer up once it is half empty,
 * so that one receive fetches several messages rather than one per freed slot.
 */
final class ReceivedAhead {

    /** A received message and the heartbeat that keeps it invisible until it is settled. */
    record Waiting(ReceivedMessage message, Heartbeat heartbeat) {}

    private final int capacity;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition taken = lock.newCondition();
    private final Condition added = lock.newCondition();

    ReceivedAhead(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Blocks until at most half the capacity is taken (rounded down), then tells how many more fit. */
    int awaitRoom() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (waiting.size() > capacity / 2) {
                taken.await();
            }
            return capacity - waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Adds what a receive returned; never more than {@link #awaitRoom()} said would fit. */
    void addAll(List<Waiting> received) {
        lock.lock();
        try {
            if (waiting.size() + received.size() > capacity) {
                throw new IllegalStateException(received.size() + " messages do not fit: " + waiting.size()
                        + " of " + capacity + " already wait");
            }
            waiting.addAll(received);
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a message waits, and takes the oldest. */
    Waiting take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (waiting.isEmpty()) {
                added.await();
            }
            Waiting next = waiting.removeFirst();
            taken.signalAll();
            return next;
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
            taken.signalAll();
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
