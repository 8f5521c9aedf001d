package dev.skyferry.worker;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global limit on messages being copied ({@code copy.maxCopiesInFlight}), shared fairly between
 * sources. A message holds a permit from the moment it leaves its source's {@link ReceivedAhead} buffer
 * until its copies are done (the queue call that settles it runs without one).
 *
 * <h2>Fairness</h2>
 * Each source has a fair share, {@code capacity / sources}. Permits a source does not use may be
 * borrowed by others, except for a reservation the others must leave free for it:
 * <ul>
 *   <li>a <em>quiet</em> source (its last receive returned fewer messages than it asked for) keeps one
 *       permit reserved, so it can always start a message at once;</li>
 *   <li>a <em>busy</em> source (its last receive was full) has its whole fair share reserved: permits
 *       freed by a borrower go to it first, until it holds its share.</li>
 * </ul>
 * A flooded source therefore uses all spare capacity, yet cannot starve another: the other always has
 * its one permit, and gets its fair share as soon as it turns busy.
 *
 * <p>A per-source limit pauses a source (0, its reservation is given up) while a breaker it depends on
 * is open, or throttles it to one message while that breaker is half-open.
 */
final class FairPermits {

    static final int UNLIMITED = Integer.MAX_VALUE;

    private final int capacity;
    private final int fairShare;
    private final Map<String, SourceShare> shares = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int used;

    private static final class SourceShare {
        int used;
        boolean busy;
        int limit = UNLIMITED;
    }

    FairPermits(int capacity, Collection<String> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("at least one source is needed");
        }
        if (capacity < sources.size()) {
            throw new IllegalArgumentException("copy.maxCopiesInFlight (" + capacity + ") must be at least the number of sources ("
                    + sources.size() + ") so that every source can make progress");
        }
        this.capacity = capacity;
        this.fairShare = capacity / sources.size();
        sources.forEach(name -> shares.put(name, new SourceShare()));
    }

    /** Blocks until {@code source} may take a permit, then takes it. */
    void acquire(String source) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            SourceShare share = share(source);
            while (grantable(share) < 1) {
                changed.await();
            }
            share.used++;
            used++;
        } finally {
            lock.unlock();
        }
    }

    /** After each receive: busy when it came back with as many messages as it asked for. */
    void busy(String source, boolean busy) {
        lock.lock();
        try {
            SourceShare share = share(source);
            if (share.busy != busy) {
                share.busy = busy;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** One message of {@code source} is copied (or was never started): its permit is free. */
    void release(String source) {
        lock.lock();
        try {
            giveBack(share(source), 1);
        } finally {
            lock.unlock();
        }
    }

    /** Caps the permits {@code source} may hold: 0 pauses it, {@link #UNLIMITED} lifts the cap. */
    void limit(String source, int limit) {
        lock.lock();
        try {
            share(source).limit = limit;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int inUse() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    int inUse(String source) {
        lock.lock();
        try {
            return share(source).used;
        } finally {
            lock.unlock();
        }
    }

    private int grantable(SourceShare share) {
        int reservedForOthers = 0;
        for (SourceShare other : shares.values()) {
            if (other != share) {
                reservedForOthers += unmetReservation(other);
            }
        }
        int free = capacity - used - reservedForOthers;
        return Math.min(free, share.limit - share.used);
    }

    private int unmetReservation(SourceShare share) {
        int reserved = Math.min(share.limit, share.busy ? fairShare : 1);
        return Math.max(0, reserved - share.used);
    }

    private void giveBack(SourceShare share, int permits) {
        if (permits > 0) {
            share.used -= permits;
            used -= permits;
            changed.signalAll();
        }
    }

    private SourceShare share(String source) {
        SourceShare share = shares.get(source);
        if (share == null) {
            throw new IllegalArgumentException("unknown source " + source);
        }
        return share;
    }
}
