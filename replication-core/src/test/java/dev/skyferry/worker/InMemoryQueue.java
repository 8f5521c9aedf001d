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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue in memory with the semantics the worker relies on: a received message is invisible for the
 * visibility timeout and then delivered again with a higher receive count and a new receipt; a stale
 * receipt cannot touch it. Records what the worker did, and checks against a shared {@link Ledger}
 * that no receive asks for more messages than there are free permits.
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
    final AtomicInteger extensions = new AtomicInteger();
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
        return 10;
    }

    @Override
    public int maxDeliveries() {
        return maxDeliveries;
    }

    @Override
    public List<ReceivedMessage> receive(int maxMessages) {
        receives.incrementAndGet();
        ledger.receiving(name, maxMessages);
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
        ledger.received(maxMessages, received.size());
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
     * What the worker holds across all queues: messages being copied (from their receive until the
     * processor has handled them, told by {@link #copied}), messages received and not yet settled, and
     * receives in progress. Every receive must fit in what the copy limit leaves free; messages waiting
     * for their settling queue call may hold at most as many again.
     */
    static final class Ledger {
        private final int capacity;
        private int copying;
        private int held;
        private int asking;
        private int mostCopying;
        private final List<String> violations = new ArrayList<>();

        Ledger(int capacity) {
            this.capacity = capacity;
        }

        synchronized void receiving(String source, int maxMessages) {
            asking += maxMessages;
            if (copying + asking > capacity) {
                violations.add(source + " asked for " + maxMessages + " with " + copying + " being copied and "
                        + (asking - maxMessages) + " asked for elsewhere, limit " + capacity);
            }
        }

        synchronized void received(int asked, int received) {
            asking -= asked;
            copying += received;
            held += received;
            mostCopying = Math.max(mostCopying, copying);
            if (held > 2 * capacity) {
                violations.add(held + " messages held (copying or settling), more than twice the limit " + capacity);
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
    }
}
