package dev.skyferry.worker;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global limit on messages being copied ({@code copy.maxCopiesInFlight}), shared fairly between
 * sources. A source holds a permit for each message until its copies are done (the queue call that
 * settles the message runs without one), and takes permits <em>before</em> it receives, asking for no
 * more messages than it holds permits: nothing is received that cannot be worked on at once.
 *
 * <h2>Fairness</h2>
 * Each source has a fair share, {@code capacity / sources}. Permits a source does not use may be
 * borrowed by others, except for a reservation the others must leave free for it:
 * <ul>
 *   <li>a <em>quiet</em> source (its last receive returned fewer messages than it asked for) keeps one
 *       permit reserved, so it can always poll and start a message at once;</li>
 *   <li>a <em>busy</em> source (its last receive was full) has its whole fair share reserved: permits
 *       freed by a borrower go to it first, until it holds its share.</li>
 * </ul>
 * A quiet source asks for one message per receive, a busy one for as many as it may take (up to its
 * batch size), so an idle queue never sits on permits during a long poll. A flooded source therefore
 * uses all spare capacity, yet cannot starve another: the other always has its one permit, and gets
 * its fair share as soon as it turns busy.
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

    /**
     * Blocks until {@code source} may take at least one permit, then takes as many as it may ask for
     * now: 1 when quiet, up to {@code maxBatch} when busy.
     *
     * @return the permits taken (≥ 1); hand back the unused ones with {@link #received}
     */
    int acquireForReceive(String source, int maxBatch) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            SourceShare share = share(source);
            int grantable;
            while ((grantable = grantable(share)) < 1) {
                changed.await();
            }
            int granted = Math.min(grantable, share.busy ? maxBatch : 1);
            share.used += granted;
            used += granted;
            return granted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a receive with {@code granted} permits returned {@code received} messages: hands back the
     * permits no message needs, and marks the source busy when the receive came back full.
     */
    void received(String source, int granted, int received) {
        lock.lock();
        try {
            SourceShare share = share(source);
            share.busy = received >= granted;
            giveBack(share, granted - received);
        } finally {
            lock.unlock();
        }
    }

    /** One message of {@code source} is settled. */
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
