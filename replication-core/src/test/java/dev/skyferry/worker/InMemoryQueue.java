package dev.skyferry.worker;

import dev.skyferry.queue.DeadLetterFacts;
import dev.skyferry.queue.MessageSource;
import dev.skyferry.queue.QueueException;
import dev.skyferry.queue.ReceivedMessage;
import dev.skyferry.queue.SourceType;
import dev.skyferry.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue in memory with the semantics the worker relies on: a received message is invisible for the
 * visibility timeout and then delivered again with a higher receive count and a new receipt; a stale
 * receipt cannot touch it. Records what the worker did, and checks against a shared {@link Ledger}
 * that the worker receives no more ahead, and copies no more at once, than its limits allow.
 */
final class InMemoryQueue implements MessageSource {

    record DeadLettered(String text, DeadLetterFacts facts) {}

    private static final class Stored {
        final String id = UUID.randomUUID().toString();
        final String text;
        int receiveCount;
        Instant visibleAt = Instant.EPOCH;
        String receipt = "";

        Stored(String text, int receiveCount) {
            this.text = text;
            this.receiveCount = receiveCount;
        }
    }

    static final int BATCH_SIZE = 10;

    private final String name;
    private final SourceType type;
    private final Duration visibility;
    private final int maxDeliveries;
    private final Ledger ledger;
    private final Map<String, Stored> messages = new LinkedHashMap<>();

    final List<Duration> releases = Collections.synchronizedList(new ArrayList<>());
    final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    final List<DeadLettered> deadLettered = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger receives = new AtomicInteger();
    /** Receives being answered now, and the most there were at once. */
    private final AtomicInteger receivesInFlight = new AtomicInteger();
    final AtomicInteger mostReceivesInFlight = new AtomicInteger();
    /** Each receive is answered this long after it is asked, like a queue's round trip. */
    volatile Duration receiveLatency = Duration.ZERO;
    final AtomicInteger extensions = new AtomicInteger();
    /** Each call of the kind throws the next of these once, before touching the message. */
    final ConcurrentLinkedQueue<RuntimeException> failNextDeadLetters = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<RuntimeException> failNextExtensions = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<RuntimeException> failNextDeletes = new ConcurrentLinkedQueue<>();
    private volatile CountDownLatch deleteGate;

    InMemoryQueue(String name, SourceType type, Duration visibility, int maxDeliveries, Ledger ledger) {
        this.name = name;
        this.type = type;
        this.visibility = visibility;
        this.maxDeliveries = maxDeliveries;
        this.ledger = ledger;
    }

    /** Enqueues a message; returns its id. */
    String send(String text) {
        return send(text, 0);
    }

    /** Enqueues a message that was already delivered {@code previousDeliveries} times. */
    synchronized String send(String text, int previousDeliveries) {
        Stored stored = new Stored(text, previousDeliveries);
        messages.put(stored.id, stored);
        return stored.id;
    }

    /** How often the message was delivered so far; -1 once it is gone. */
    synchronized int deliveries(String id) {
        Stored stored = messages.get(id);
        return stored == null ? -1 : stored.receiveCount;
    }

    synchronized int size() {
        return messages.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SourceType type() {
        return type;
    }

    @Override
    public Duration visibilityTimeout() {
        return visibility;
    }

    @Override
    public int maxBatchSize() {
        return BATCH_SIZE;
    }

    @Override
    public int maxDeliveries() {
        return maxDeliveries;
    }

    @Override
    public List<ReceivedMessage> receive(int maxMessages) {
        receives.incrementAndGet();
        mostReceivesInFlight.accumulateAndGet(receivesInFlight.incrementAndGet(), Math::max);
        try {
            return answer(maxMessages);
        } finally {
            receivesInFlight.decrementAndGet();
        }
    }

    private List<ReceivedMessage> answer(int maxMessages) {
        ledger.receiving(name, maxMessages);
        if (receiveLatency.isPositive()) {
            try {
                Thread.sleep(receiveLatency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ReceivedMessage> received = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            for (Stored stored : messages.values()) {
                if (received.size() == maxMessages) {
                    break;
                }
                if (!stored.visibleAt.isAfter(now)) {
                    stored.receiveCount++;
                    stored.receipt = UUID.randomUUID().toString();
                    stored.visibleAt = now.plus(visibility);
                    received.add(ReceivedMessage.of(stored.id, stored.receipt, stored.text, stored.receiveCount, Instant.EPOCH, now));
                }
            }
        }
        ledger.received(name, maxMessages, received.size());
        if (received.isEmpty()) {
            try {
                Thread.sleep(10); // a short poll, like an empty Azure receive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return received;
    }

    private Stored held(ReceivedMessage message) {
        Stored stored = messages.get(message.messageId());
        if (stored == null || !stored.receipt.equals(message.receipt())) {
            throw new QueueException(StoreException.Kind.NOT_FOUND, 404, "MessageNotFound",
                    message + " is no longer held with this receipt", null, null);
        }
        return stored;
    }

    @Override
    public synchronized void extendVisibility(ReceivedMessage message, Duration timeout) {
        RuntimeException failure = failNextExtensions.poll();
        if (failure != null) {
            throw failure;
        }
        held(message).visibleAt = Instant.now().plus(timeout);
        extensions.incrementAndGet();
    }

    /** Deletes wait until the returned latch is counted down, as against a queue that answers slowly. */
    CountDownLatch holdDeletes() {
        CountDownLatch gate = new CountDownLatch(1);
        deleteGate = gate;
        return gate;
    }

    @Override
    public void delete(ReceivedMessage message) {
        RuntimeException failure = failNextDeletes.poll();
        if (failure != null) {
            throw failure;
        }
        CountDownLatch gate = deleteGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueException(StoreException.Kind.UNAVAILABLE, 0, null, "delete interrupted", null, e);
            }
        }
        synchronized (this) {
            messages.remove(held(message).id);
            deleted.add(message.messageId());
            ledger.settled();
        }
    }

    @Override
    public synchronized void release(ReceivedMessage message, Duration delay) {
        held(message).visibleAt = Instant.now().plus(delay);
        releases.add(delay);
        ledger.settled();
    }

    @Override
    public synchronized void deadLetter(ReceivedMessage message, DeadLetterFacts facts) {
        RuntimeException failure = failNextDeadLetters.poll();
        if (failure != null) {
            throw failure;
        }
        Stored stored = held(message);
        deadLettered.add(new DeadLettered(stored.text, facts));
        messages.remove(stored.id);
        ledger.settled();
    }

    @Override
    public synchronized OptionalLong approximateDepth() {
        return OptionalLong.of(messages.size());
    }

    /**
     * What the worker holds across all queues, checked as it happens: no receive asks for more messages
     * than the source's buffer of messages received ahead (twice the copy limit) and the free copy slots
     * leave room for, counting what the receives in flight beside it asked for; messages being copied
     * (from {@link #started} to {@link #copied}) are at most the copy limit.
     */
    static final class Ledger {
        private final int capacity;
        private final Map<String, Integer> receivedAhead = new HashMap<>();
        private final Map<String, Integer> askedInFlight = new HashMap<>();
        private final Map<String, Integer> mostAskedInFlight = new HashMap<>();
        private int copying;
        private int held;
        private int mostCopying;
        private int mostHeld;
        private final List<String> violations = new ArrayList<>();

        Ledger(int capacity) {
            this.capacity = capacity;
        }

        private int aheadLimit() {
            return 2 * capacity;
        }

        /**
         * Received and not yet started: at most what the source's buffer holds, plus messages already given a
         * copy slot whose copy has not begun (no more than the slots not copying).
         */
        synchronized void receiving(String source, int maxMessages) {
            int ahead = receivedAhead.getOrDefault(source, 0);
            int asked = askedInFlight.merge(source, maxMessages, Integer::sum);
            mostAskedInFlight.merge(source, asked, Math::max);
            int limit = aheadLimit() + capacity - copying;
            if (ahead + asked > limit) {
                violations.add(source + " asked for " + maxMessages + " (" + asked + " with the receives in flight) with "
                        + ahead + " received and not started, " + copying + " copying, limit " + limit);
            }
        }

        synchronized void received(String source, int asked, int received) {
            askedInFlight.merge(source, -asked, Integer::sum);
            receivedAhead.merge(source, received, Integer::sum);
            held += received;
            mostHeld = Math.max(mostHeld, held);
        }

        /** The processor started on one single-event message of {@code source}: it holds a copy slot. */
        synchronized void started(String source) {
            receivedAhead.merge(source, -1, Integer::sum);
            copying++;
            mostCopying = Math.max(mostCopying, copying);
            if (copying > capacity) {
                violations.add(copying + " messages copied at once, limit " + capacity);
            }
        }

        /** The processor handled one single-event message: its copy slot is free from now on. */
        synchronized void copied() {
            copying--;
        }

        synchronized void settled() {
            held--;
        }

        synchronized List<String> violations() {
            return List.copyOf(violations);
        }

        synchronized int mostCopying() {
            return mostCopying;
        }

        /** Most messages the receives of {@code source} in flight at one time asked for. */
        synchronized int mostAskedInFlight(String source) {
            return mostAskedInFlight.getOrDefault(source, 0);
        }

        /** Most messages held at once: received ahead, being copied, or waiting for their settling call. */
        synchronized int mostHeld() {
            return mostHeld;
        }
    }
}
