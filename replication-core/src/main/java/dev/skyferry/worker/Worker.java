package dev.skyferry.worker;

import dev.skyferry.ack.MessageVerdict;
import dev.skyferry.ack.Outcome;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.queue.DeadLetterFacts;
import dev.skyferry.queue.MessageSource;
import dev.skyferry.queue.ReceivedMessage;
import dev.skyferry.resilience.Endpoint;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Consumes any number of queues at once and hands each event to the {@link EventProcessor}, acknowledging
 * a message only once the outcomes of all its events say so.
 *
 * <h2>Consuming</h2>
 * Virtual threads per source: receive loops and one dispatch loop. The receive loops keep a buffer of
 * messages received ahead ({@link ReceivedAhead}: up to twice {@code maxCopiesInFlight}), so a freed copy
 * slot starts the next copy at once instead of waiting for a queue round trip. A busy source is received
 * in receives of up to one round of copies ({@code maxCopiesInFlight}, at most the source's batch size),
 * each sent as soon as the buffer has room for it, so several (at most {@value #MAX_RECEIVES_IN_FLIGHT})
 * are in flight at once while copies outrun the queue's answers. A quiet source (its last receive came
 * back short) is polled by one loop at a time for one message, so an idle queue is long-polled once,
 * for one message, not a batch.
 * The dispatch loop takes a permit of the global limit ({@code maxCopiesInFlight}, shared fairly: see
 * {@link FairPermits}) for the oldest waiting message and hands it to its own virtual thread:
 * parse → {@link EventProcessor#process} per accepted event → one {@link MessageVerdict} for the message.
 * From its receipt until it is settled, a heartbeat extends the message's visibility every third of the
 * visibility timeout, so neither a wait in the buffer nor a long copy lets a second worker take it.
 *
 * <p>Queue calls: receives and depth probes run under the queue endpoint's breaker; heartbeats and
 * the settling calls (delete, release, dead-letter; retried) do not, because they finish work
 * already under way and an open breaker must not turn a finished copy into a redelivery.
 *
 * <h2>Settling (acknowledge only after the outcome says so)</h2>
 * <ul>
 *   <li>every event replicated or skipped (ignored by the parser included) → delete;</li>
 *   <li>any {@code Retry} → release with {@code redeliveryDelay × 2^(delivery-1)}, capped; when the
 *       delivery was the source's last ({@code maxDequeueCount}) → dead-letter {@value #RETRIES_EXHAUSTED};</li>
 *   <li>any {@code DeadLetter}, or an item the parser could not read ({@value #UNPARSEABLE}) → dead-letter
 *       with the reason, the original text unchanged;</li>
 *   <li>a message delivered more often than the source allows (a worker died on it) → dead-letter
 *       {@value #MAX_DELIVERIES_EXCEEDED} without processing it again, as Azure Functions does.</li>
 * </ul>
 * If a dead-letter move itself fails, the message is released for {@code maxRedeliveryDelay} instead:
 * nothing is deleted that is not safely elsewhere.
 *
 * <h2>Circuit breakers</h2>
 * Each source needs a set of endpoints ({@code SourceType.requiredEndpoints()}, or given explicitly).
 * While the breaker of any of them is open, the source receives nothing and gives back the messages it
 * received ahead — its messages wait in the queue — and readiness says why; what a receive in flight
 * returns once a breaker opened goes straight back too. While one is half-open the source receives and
 * copies one message at a time: it receives the next only when none of its messages waits or is being
 * copied, so a probe that fails spends the delivery of the one message it tried, not of others received
 * ahead. It resumes by itself when they close.
 *
 * <h2>Stopping</h2>
 * {@link #stop(Duration)}: stop receiving, give back the messages received ahead, let in-flight
 * messages finish within the grace, then interrupt the rest (the processor aborts its writes and
 * answers {@code Retry}) and release their messages at once. A second {@code stop} interrupts
 * everything and returns immediately.
 *
 * <p>The processor is called from many threads at once and must be thread-safe.
 */
public final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Reason for a message still failing transiently on its last allowed delivery. */
    public static final String RETRIES_EXHAUSTED = "retries-exhausted";
    /** Reason for a message delivered more often than allowed before this delivery even started. */
    public static final String MAX_DELIVERIES_EXCEEDED = "max-deliveries-exceeded";
    /** Reason for a message (item) the parser could not read. */
    public static final String UNPARSEABLE = "unparseable";
    /** Reason of the {@code Retry} for events not started because the worker is stopping. */
    public static final String INTERRUPTED = "interrupted";
    /** Reason for a processor that threw or returned nothing, which its contract forbids. */
    public static final String PROCESSOR_ERROR = "processor-error";
    /** Reason counted for events whose message could not be dead-lettered and was released instead. */
    public static final String DEAD_LETTER_FAILED = "dead-letter-failed";

    static final Duration FIRST_RECEIVE_ERROR_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_RECEIVE_ERROR_BACKOFF = Duration.ofSeconds(30);
    /**
     * Receives one source keeps in flight at most: a few overlap the queue's round trips; more would
     * only compete with the heartbeats for the queue client's connections (SQS's pool holds 50).
     */
    static final int MAX_RECEIVES_IN_FLIGHT = 4;
    /** Breaker state changes are signalled; this only bounds a missed signal. */
    private static final Duration BREAKER_RECHECK = Duration.ofSeconds(1);

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    /** What finally happened to a message, which decides how its events are counted. */
    private enum Fate { DELETED, RELEASED, DEAD_LETTERED, DEAD_LETTER_FAILED }

    /** @param eventId the event's own id (null when its message named none), for the lines that settle its message */
    private record HandledEvent(Direction direction, Outcome outcome, Instant eventTime, String eventId) {}

    private static final class ConsumedSource {
        final MessageSource source;
        final MessageParser parser;
        final Set<Endpoint> requiredEndpoints;
        final Direction direction;
        volatile Set<Endpoint> pausedBy = Set.of();
        /** Times it was paused (written under its lock): a receive that spans a pause gives its messages back. */
        volatile int pausesBegun;
        /** A breaker it needs is half-open: one message at a time. */
        volatile boolean probing;
        /** Its last receive came back full: there is more waiting. */
        volatile boolean busy;
        /** Held by the one receive loop polling while the source is quiet or probing. */
        final Semaphore quietPoll = new Semaphore(1);
        ReceivedAhead ahead;
        /** Messages a busy source asks for per receive. */
        int receiveSize;
        volatile List<Thread> receiveLoops = List.of();
        volatile Thread dispatchLoop;

        ConsumedSource(MessageSource source, MessageParser parser, Set<Endpoint> requiredEndpoints) {
            this.source = source;
            this.parser = parser;
            this.requiredEndpoints = requiredEndpoints;
            this.direction = Direction.of(source.type());
        }

        String name() {
            return source.name();
        }

        Endpoint queueEndpoint() {
            return source.type().queueEndpoint();
        }

        String component() {
            return "source " + source.name();
        }
    }

    private final WorkerSettings settings;
    private final ResilientCalls calls;
    private final EndpointBreakers breakers;
    private final EventProcessor processor;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final List<ConsumedSource> sources;
    private final List<HealthProbe> probes;
    private final FairPermits permits;
    private final FirstErrors firstErrors = new FirstErrors();
    private final HealthState health;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final Set<Thread> handlers = ConcurrentHashMap.newKeySet();
    /** Messages holding a {@link CopySlot}: handed to their handler and not yet copied. */
    private final AtomicInteger copying = new AtomicInteger();
    /** Messages whose copies are done and whose queue settlement (delete, release, dead-letter) runs. */
    private final Semaphore settling;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition handlerDone = lock.newCondition();
    /** A breaker changed state, or a probing source's copy ended: paused or held receive loops look again. */
    private final Condition mayReceiveAgain = lock.newCondition();
    private volatile boolean interruptingForShutdown;
    private volatile Thread healthLoop;

    private Worker(Builder builder) {
        this.settings = builder.settings;
        this.calls = builder.calls;
        this.breakers = builder.calls.breakers();
        this.processor = builder.processor;
        this.metrics = builder.metrics;
        this.clock = builder.clock;
        this.sources = List.copyOf(builder.sources);
        this.probes = List.copyOf(builder.probes);
        this.permits = new FairPermits(settings.maxCopiesInFlight(), sources.stream().map(ConsumedSource::name).toList());
        this.settling = new Semaphore(settings.maxCopiesInFlight());
        // Under load a receive waits behind the deletes of the copies that just ended (a queue answers
        // them in turn), so what is received ahead must outlast that wait: two rounds of copies. One receive
        // at a time would cap a source at one batch per round trip, whatever the copy limit: receives of
        // at most one round each, as many in flight as that room holds, up to MAX_RECEIVES_IN_FLIGHT
        // (docs/benchmarks.md, "The worker's own timeline").
        for (ConsumedSource source : sources) {
            source.receiveSize = Math.min(source.source.maxBatchSize(), settings.maxCopiesInFlight());
            source.ahead = new ReceivedAhead(2 * settings.maxCopiesInFlight());
        }
        List<String> components = new ArrayList<>();
        sources.forEach(source -> components.add(source.component()));
        probes.forEach(probe -> components.add(probe.name()));
        this.health = new HealthState(clock, components, this::livenessProblems, this::readinessProblems);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts one receive loop per source and the health refresher. Once only. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("worker can start once; it is " + state.get());
        }
        breakers.onStateChange(this::onBreakerStateChange);
        for (ConsumedSource source : sources) {
            int receivesInFlight = Math.min(MAX_RECEIVES_IN_FLIGHT,
                    Math.ceilDiv(2 * settings.maxCopiesInFlight(), source.receiveSize));
            List<Thread> loops = new ArrayList<>(receivesInFlight);
            for (int i = 1; i <= receivesInFlight; i++) {
                loops.add(Thread.ofVirtual().name("receive-" + source.name() + "-" + i).start(() -> receiveLoop(source)));
            }
            source.receiveLoops = List.copyOf(loops);
            source.dispatchLoop = Thread.ofVirtual().name("dispatch-" + source.name()).start(() -> dispatchLoop(source));
        }
        healthLoop = Thread.ofVirtual().name("worker-health").start(this::healthLoop);
        log.info("worker started: {} sources, at most {} copies in flight",
                sources.size(), settings.maxCopiesInFlight());
    }

    /**
     * Stops receiving, waits up to {@code grace} for in-flight messages, then interrupts the rest and
     * releases their messages for redelivery (waiting up to {@code releaseTimeout} for that). Returns
     * when done. Called again while stopping, it interrupts everything and returns at once.
     */
    public void stop(Duration grace) {
        State previous = state.getAndUpdate(s -> s == State.RUNNING ? State.STOPPING : s);
        switch (previous) {
            case NEW -> {
                state.set(State.STOPPED);
                return;
            }
            case STOPPED -> {
                return;
            }
            case STOPPING -> {
                log.warn("stop again: interrupting {} messages in flight now", handlers.size());
                interruptHandlers();
                return;
            }
            case RUNNING -> {
            }
        }
        log.info("stopping: receiving no more; {} messages in flight have up to {} to finish", handlers.size(), grace);
        for (ConsumedSource source : sources) {
            source.receiveLoops.forEach(Thread::interrupt); // a receive in progress is abandoned
            source.dispatchLoop.interrupt();
            giveBackReceivedAhead(source);
        }
        healthLoop.interrupt();
        if (!awaitHandlers(grace)) {
            log.warn("drain grace {} is over: interrupting {} unfinished messages and releasing them for redelivery",
                    grace, handlers.size());
            interruptHandlers();
            if (!awaitHandlers(settings.releaseTimeout())) {
                log.warn("{} messages were not released within {}; they are delivered again when their visibility timeout ends",
                        handlers.size(), settings.releaseTimeout());
            }
        }
        for (ConsumedSource source : sources) {
            source.receiveLoops.forEach(loop -> joinQuietly(loop, settings.releaseTimeout()));
            joinQuietly(source.dispatchLoop, settings.releaseTimeout());
            giveBackReceivedAhead(source); // what a receive in progress at stop() still returned
        }
        state.set(State.STOPPED);
        log.info("worker stopped");
    }

    /** Liveness and readiness, for the app's {@code /healthz} and {@code /readyz}. */
    public HealthState health() {
        return health;
    }

    /** Messages being copied now: the {@code skyferry_copies_in_flight} gauge. */
    public int inFlight() {
        return copying.get();
    }

    // ---------------------------------------------------------------- receiving

    /** What one turn of a receive loop came to. */
    private sealed interface Receipt {
        /** A breaker the source needs is open (or opened during the receive): nothing was kept. */
        record Paused() implements Receipt {}

        /** A breaker the source needs is half-open and the source may start no more now: nothing was received. */
        record Held() implements Receipt {}

        record Failed(RuntimeException error) implements Receipt {}

        /** The worker began to stop during the receive; what it returned went straight back. */
        record Stopping() implements Receipt {}

        /** {@code count} messages were received and wait in the buffer. */
        record Received(int count) implements Receipt {}
    }

    /**
     * One of the source's receive loops. A busy source is received by all of them at once, each asking
     * for {@code receiveSize} once the buffer has room for it; a quiet one (its last receive came back
     * short) or a probing one is polled by one loop at a time, for one message.
     */
    private void receiveLoop(ConsumedSource source) {
        MDC.put("source", source.name());
        Duration errorBackoff = FIRST_RECEIVE_ERROR_BACKOFF;
        try {
            while (state.get() == State.RUNNING) {
                boolean quiet = awaitQuietTurnIfQuiet(source);
                int asking = quiet ? 1 : source.receiveSize;
                Receipt receipt;
                try {
                    receipt = receiveAhead(source, asking, quiet);
                } finally {
                    if (quiet) {
                        source.quietPoll.release();
                    }
                }
                switch (receipt) {
                    case Receipt.Paused paused -> {
                        giveBackReceivedAhead(source);
                        awaitMayReceiveAgain();
                    }
                    case Receipt.Held held -> awaitMayReceiveAgain();
                    case Receipt.Failed failed -> {
                        if (state.get() != State.RUNNING) {
                            return;
                        }
                        health.failed(source.component(), "receive failed: " + failed.error().getMessage());
                        log.warn("receive from {} failed, trying again in {}: {}", source.name(), errorBackoff,
                                failed.error().getMessage());
                        Thread.sleep(errorBackoff);
                        errorBackoff = min(errorBackoff.multipliedBy(2), MAX_RECEIVE_ERROR_BACKOFF);
                    }
                    case Receipt.Stopping stopping -> {
                        return;
                    }
                    case Receipt.Received received -> {
                        source.busy = received.count() >= asking;
                        permits.busy(source.name(), source.busy);
                        health.answered(source.component());
                        errorBackoff = FIRST_RECEIVE_ERROR_BACKOFF;
                    }
                }
            }
        } catch (InterruptedException e) {
            // stop() interrupts the loop; the messages it received wait in the buffer, which stop() empties
        } catch (RuntimeException | Error e) {
            log.error("receive loop of {} died; liveness reports it", source.name(), e);
            throw e;
        } finally {
            MDC.clear();
        }
    }

    /**
     * While the source is quiet or probing, waits for the one turn to poll it and returns true (the
     * caller releases the turn); returns false at once, or once the poll waited behind found it busy.
     */
    private static boolean awaitQuietTurnIfQuiet(ConsumedSource source) throws InterruptedException {
        if (source.busy && !source.probing) {
            return false;
        }
        source.quietPoll.acquire();
        if (source.busy && !source.probing) {
            source.quietPoll.release();
            return false;
        }
        return true;
    }

    /**
     * Reserves room for {@code asking} messages, then, unless a breaker the source needs is open,
     * receives them into the buffer, each kept invisible by its heartbeat from then on. While a breaker
     * probes, only the loop holding the one turn receives, and only when the source is idle.
     */
    private Receipt receiveAhead(ConsumedSource source, int asking, boolean holdsTurn) throws InterruptedException {
        try (ReceivedAhead.Reservation room = source.ahead.reserve(asking)) {
            // Read before the pause is checked, so that any pause beginning after the check is seen below.
            int pausesBefore = source.pausesBegun;
            // Checked after any wait for the turn or the room, during which a breaker may have opened.
            if (!refreshPause(source)) {
                return new Receipt.Paused();
            }
            // The one message a probing source may copy is received only when it can start at once: one
            // received ahead would wait for the probe's verdict and, if the breaker opened again, go back
            // having spent a delivery (Azure dequeueCount, SQS receive count) without being tried.
            if (source.probing && !(holdsTurn && source.ahead.idle())) {
                return new Receipt.Held();
            }
            List<ReceivedMessage> messages;
            long sent = System.nanoTime();
            try {
                messages = calls.callOnce(source.queueEndpoint(), () -> source.source.receive(asking));
            } catch (RuntimeException e) {
                return new Receipt.Failed(e);
            }
            long answered = System.nanoTime();
            if (!messages.isEmpty()) {
                // Empty answers are left out: a long poll of an idle SQS queue takes its whole wait time.
                metrics.receiveAnswered(source.name(), Duration.ofNanos(answered - sent));
            }
            if (state.get() != State.RUNNING) {
                releaseAtOnce(source, messages);
                return new Receipt.Stopping();
            }
            if (source.pausesBegun != pausesBefore) {
                // A breaker opened while the queue answered: back to the queue now, not after the pause.
                releaseAtOnce(source, messages);
                return new Receipt.Paused();
            }
            room.fill(messages.stream()
                    .map(message -> new ReceivedAhead.Waiting(message, startHeartbeat(source, message), answered))
                    .toList());
            return new Receipt.Received(messages.size());
        }
    }

    /** Hands the oldest message received ahead to a handler as soon as the source may copy one more. */
    private void dispatchLoop(ConsumedSource source) {
        try {
            while (state.get() == State.RUNNING) {
                permits.acquire(source.name());
                ReceivedAhead.Waiting next;
                try {
                    next = source.ahead.take();
                } catch (InterruptedException e) {
                    permits.release(source.name());
                    throw e;
                }
                if (state.get() != State.RUNNING) {
                    permits.release(source.name());
                    source.ahead.finished();
                    giveBack(source, List.of(next));
                    break;
                }
                dispatch(source, next);
            }
        } catch (InterruptedException e) {
            // stop() interrupts the loop
        } catch (RuntimeException | Error e) {
            log.error("dispatch loop of {} died; liveness reports it", source.name(), e);
            throw e;
        }
    }

    /**
     * Messages this worker will not work on after all (received as it began to stop, or received ahead
     * and given back): straight back to the queue, for any worker.
     */
    private void releaseAtOnce(ConsumedSource source, List<ReceivedMessage> messages) {
        boolean interrupted = Thread.interrupted(); // let the release calls run
        for (ReceivedMessage message : messages) {
            release(source, message, Duration.ZERO);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages received ahead that will not be copied now (stopping, or a breaker opened): back to the queue. */
    private void giveBackReceivedAhead(ConsumedSource source) {
        List<ReceivedAhead.Waiting> waiting = source.ahead.drain();
        if (!waiting.isEmpty()) {
            log.info("giving {} messages received ahead back to {}", waiting.size(), source.name());
            giveBack(source, waiting);
        }
    }

    private void giveBack(ConsumedSource source, List<ReceivedAhead.Waiting> waiting) {
        waiting.forEach(message -> message.heartbeat().close());
        releaseAtOnce(source, waiting.stream().map(ReceivedAhead.Waiting::message).toList());
    }

    /** Starts the message's handler, which owns the permit the dispatch loop took for it. */
    private void dispatch(ConsumedSource source, ReceivedAhead.Waiting waiting) {
        ReceivedMessage message = waiting.message();
        metrics.copySlotWaited(source.name(), Duration.ofNanos(System.nanoTime() - waiting.receivedNanos()));
        CopySlot slot = new CopySlot(source);
        Thread handler = Thread.ofVirtual().name("message-" + source.name() + "-" + message.messageId()).unstarted(() -> {
            try {
                handle(source, message, waiting.heartbeat(), slot);
            } finally {
                slot.release();
                handlers.remove(Thread.currentThread());
                signal(handlerDone);
            }
        });
        handlers.add(handler);
        handler.start();
    }

    /**
     * The message's permit of {@code copy.maxCopiesInFlight}, given back once: when its copies are done,
     * before the queue call that settles it, so that a delete's round trip does not keep the next copy
     * waiting.
     */
    private final class CopySlot {
        private final ConsumedSource source;
        private final AtomicBoolean held = new AtomicBoolean(true);

        CopySlot(ConsumedSource source) {
            this.source = source;
            copying.incrementAndGet();
        }

        void release() {
            if (held.compareAndSet(true, false)) {
                copying.decrementAndGet();
                source.ahead.finished();
                permits.release(source.name());
                if (source.probing) {
                    signal(mayReceiveAgain); // its next message may be received now
                }
            }
        }
    }

    // ---------------------------------------------------------------- handling one message

    private void handle(ConsumedSource source, ReceivedMessage message, Heartbeat heartbeat, CopySlot slot) {
        MDC.put("source", source.name());
        MDC.put("messageId", message.messageId());
        try {
            if (message.receiveCount() > source.source.maxDeliveries()) {
                heartbeat.close();
                metrics.eventReceived(source.name(), source.direction);
                String why = "delivered " + message.receiveCount() + " times, more than the limit of "
                        + source.source.maxDeliveries() + "; moved aside unprocessed, as it may be what stopped earlier workers";
                boolean moved = deadLetter(source, message, MAX_DELIVERIES_EXCEEDED, why);
                metrics.eventSettled(source.direction, moved ? EventOutcome.DEAD_LETTERED : EventOutcome.RETRIED,
                        moved ? MAX_DELIVERIES_EXCEEDED : DEAD_LETTER_FAILED, 0, null, null);
                return;
            }
            List<HandledEvent> events;
            try {
                events = handleEvents(source, message);
            } finally {
                Thread.interrupted(); // clear it, so the settling calls are not aborted
                heartbeat.close();
            }
            // Messages being settled are bounded by the same number: a queue that stalls its deletes
            // keeps copy slots taken, so receiving slows down instead of piling up settled work.
            settling.acquireUninterruptibly();
            try {
                slot.release();
                // Not the thread's interrupt flag: a processor that caught the interrupt has cleared it.
                settle(source, message, events, interruptingForShutdown);
            } finally {
                settling.release();
            }
        } catch (RuntimeException e) {
            log.error("unexpected failure handling {}; it is delivered again when its visibility timeout ends", message, e);
        } finally {
            MDC.clear();
        }
    }

    private Heartbeat startHeartbeat(ConsumedSource source, ReceivedMessage message) {
        Duration visibility = source.source.visibilityTimeout();
        MDC.put("messageId", message.messageId()); // the heartbeat's log lines name its message
        try {
            // Not under the queue's breaker: a beat rejected while it is open could let the message
            // reappear mid-copy; a failed beat is simply tried again at the next one.
            return Heartbeat.start(source.name() + "-" + message.messageId(), visibility.dividedBy(3),
                    () -> source.source.extendVisibility(message, visibility));
        } finally {
            MDC.remove("messageId");
        }
    }

    private List<HandledEvent> handleEvents(ConsumedSource source, ReceivedMessage message) {
        ParsedMessage parsed;
        try {
            parsed = source.parser.parse(message.text());
        } catch (RuntimeException e) {
            parsed = ParsedMessage.failed("the parser failed: " + e);
        }
        List<HandledEvent> handled = new ArrayList<>(parsed.items().size());
        for (ParsedMessage.Item item : parsed.items()) {
            switch (item) {
                case ParsedMessage.Accepted accepted -> {
                    ReplicationEvent event = accepted.event();
                    Direction direction = Direction.from(event.source());
                    metrics.eventReceived(source.name(), direction);
                    handled.add(new HandledEvent(direction, process(event, message), event.eventTime(), event.eventId()));
                }
                case ParsedMessage.Ignored ignored -> {
                    metrics.eventReceived(source.name(), source.direction);
                    handled.add(new HandledEvent(source.direction, ignore(ignored), null, ignored.eventId()));
                }
                case ParsedMessage.Failed failed -> {
                    metrics.eventReceived(source.name(), source.direction);
                    handled.add(new HandledEvent(source.direction,
                            new Outcome.DeadLetter(UNPARSEABLE, failed.reason(), null), null, failed.eventId()));
                }
            }
        }
        return handled;
    }

    /** An event the parser ignored, skipped under its code; its one line says why, as replicated events get theirs. */
    private static Outcome ignore(ParsedMessage.Ignored ignored) {
        String code = ignored.code().label();
        withEventId(ignored.eventId(), () -> log.info("ignored: {}: {}", code, ignored.reason()));
        return new Outcome.Skipped(code, ignored.reason());
    }

    /** Runs {@code work} with {@code eventId} (one id, or several comma-separated) in the log context, if any. */
    private static void withEventId(String eventId, Runnable work) {
        if (eventId == null || eventId.isEmpty()) {
            work.run();
            return;
        }
        MDC.put("eventId", eventId);
        try {
            work.run();
        } finally {
            MDC.remove("eventId");
        }
    }

    private Outcome process(ReplicationEvent event, ReceivedMessage message) {
        if (Thread.currentThread().isInterrupted()) {
            return new Outcome.Retry(INTERRUPTED, "stopping before " + event.describe() + " started", null);
        }
        MDC.put("eventId", event.eventId());
        MDC.put("object", event.describe());
        try {
            Outcome outcome = processor.process(event);
            if (outcome == null) {
                log.error("the processor returned no outcome for {} (a bug)", event.describe());
                return new Outcome.Retry(PROCESSOR_ERROR, "no outcome for " + event.describe(), null);
            }
            if (outcome instanceof Outcome.Replicated replicated) {
                // One line per replica, stamped when it is verified: the audit trail of what was
                // copied, and with the receipt instant it splits lag into queue wait and copy time.
                // The replicator took its target off the MDC when it returned: this line names it again.
                MDC.put("target", replicated.target().toString());
                log.info("replicated {}: {} {} bytes, received {}, copied and verified in {} ms", event.describe(),
                        replicated.action(), replicated.bytes(), message.receivedAt(), replicated.copyTime().toMillis());
            }
            return outcome;
        } catch (RuntimeException e) {
            log.error("the processor threw on {} instead of returning an outcome (a bug)", event.describe(), e);
            return FailureClassifier.isTransient(e)
                    ? new Outcome.Retry(PROCESSOR_ERROR, e.toString(), e)
                    : new Outcome.DeadLetter(PROCESSOR_ERROR, e.toString(), e);
        } finally {
            MDC.remove("eventId");
            MDC.remove("object");
            MDC.remove("target");
        }
    }

    // ---------------------------------------------------------------- settling

    /** @param stoppedMidway the worker interrupted this message's work to stop: release, don't retry later */
    private void settle(ConsumedSource source, ReceivedMessage message, List<HandledEvent> events, boolean stoppedMidway) {
        // The lines that settle a message name every event it held: a message may hold several.
        String eventIds = events.stream().map(HandledEvent::eventId).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(","));
        withEventId(eventIds, () -> settleByVerdict(source, message, events, stoppedMidway));
    }

    private void settleByVerdict(ConsumedSource source, ReceivedMessage message, List<HandledEvent> events, boolean stoppedMidway) {
        String key = messageKey(source, message);
        switch (MessageVerdict.of(events.stream().map(HandledEvent::outcome).toList())) {
            case MessageVerdict.Delete delete -> {
                delete(source, message);
                firstErrors.forget(key);
                count(events, Fate.DELETED, null);
            }
            case MessageVerdict.Release release -> {
                Outcome.Retry because = release.because();
                if (stoppedMidway) {
                    log.info("released {} for redelivery at once: the worker is stopping", message);
                    release(source, message, Duration.ZERO);
                    count(events, Fate.RELEASED, null);
                } else if (message.receiveCount() >= source.source.maxDeliveries()) {
                    boolean moved = deadLetter(source, message, RETRIES_EXHAUSTED, errorText(because.reason(), because.detail()));
                    count(events, moved ? Fate.DEAD_LETTERED : Fate.DEAD_LETTER_FAILED, RETRIES_EXHAUSTED);
                } else {
                    firstErrors.remember(key, errorText(because.reason(), because.detail()), clock.instant());
                    Duration delay = calls.settings().redeliveryDelay(message.receiveCount());
                    log.info("released {} for redelivery in {}: {}: {}", message, delay, because.reason(), because.detail());
                    release(source, message, delay);
                    count(events, Fate.RELEASED, null);
                }
            }
            case MessageVerdict.DeadLetter deadLetter -> {
                Outcome.DeadLetter because = deadLetter.because();
                boolean moved = deadLetter(source, message, because.reason(), errorText(because.reason(), because.detail()));
                count(events, moved ? Fate.DEAD_LETTERED : Fate.DEAD_LETTER_FAILED, null);
            }
        }
    }

    /** Moves the message to the source's dead-letter queue; on failure releases it for later. */
    private boolean deadLetter(ConsumedSource source, ReceivedMessage message, String reason, String lastError) {
        String key = messageKey(source, message);
        FirstErrors.FirstError first = firstErrors.firstFor(key);
        DeadLetterFacts facts = new DeadLetterFacts(reason, message.receiveCount(),
                first == null ? null : StoreErrors.redact(first.error()), first == null ? null : first.at(),
                StoreErrors.redact(lastError), clock.instant());
        try {
            settlingCall(source, WorkerMetrics.DEAD_LETTER, () -> source.source.deadLetter(message, facts));
            firstErrors.forget(key);
            log.warn("dead-lettered {}: {}", message, facts.lastError());
            return true;
        } catch (StoreException e) {
            Duration delay = calls.settings().maxRedeliveryDelay();
            log.error("cannot dead-letter {} ({}): {}; releasing it for {} to try again", message, facts.lastError(), e.getMessage(), delay);
            release(source, message, delay);
            return false;
        }
    }

    private void release(ConsumedSource source, ReceivedMessage message, Duration delay) {
        try {
            settlingCall(source, WorkerMetrics.RELEASE, () -> source.source.release(message, delay));
        } catch (StoreException e) {
            log.warn("cannot release {}: {}; it is delivered again when its visibility timeout ends", message, e.getMessage());
        }
    }

    private void delete(ConsumedSource source, ReceivedMessage message) {
        try {
            settlingCall(source, WorkerMetrics.DELETE, () -> source.source.delete(message));
        } catch (StoreException e) {
            log.warn("cannot delete settled {}: {}; it is delivered again and found already done", message, e.getMessage());
        }
    }

    /** A settling call, past the queue's breaker; its round trip (retries included) is reported when it succeeds. */
    private void settlingCall(ConsumedSource source, String action, Runnable call) {
        long sent = System.nanoTime();
        calls.runPastBreaker(source.queueEndpoint(), call);
        metrics.settleAnswered(source.name(), action, Duration.ofNanos(System.nanoTime() - sent));
    }

    private void count(List<HandledEvent> events, Fate fate, String reasonOverride) {
        Instant now = clock.instant();
        for (HandledEvent event : events) {
            switch (event.outcome()) {
                case Outcome.Replicated replicated -> metrics.eventSettled(event.direction(), EventOutcome.REPLICATED,
                        replicated.reasonCode(), replicated.bytes(), replicated.copyTime(),
                        event.eventTime() == null ? null : Duration.between(event.eventTime(), now));
                case Outcome.Skipped skipped -> metrics.eventSettled(event.direction(), EventOutcome.SKIPPED,
                        skipped.reason(), 0, null, null);
                case Outcome.Retry retry -> unsettled(event, retry, fate,
                        reasonOverride != null ? reasonOverride : retry.reason());
                case Outcome.DeadLetter deadLetter -> unsettled(event, deadLetter, fate, deadLetter.reason());
            }
        }
    }

    private void unsettled(HandledEvent event, Outcome outcome, Fate fate, String deadLetterReason) {
        switch (fate) {
            case DEAD_LETTERED -> metrics.eventSettled(event.direction(), EventOutcome.DEAD_LETTERED, deadLetterReason, 0, null, null);
            case DEAD_LETTER_FAILED -> metrics.eventSettled(event.direction(), EventOutcome.RETRIED, DEAD_LETTER_FAILED, 0, null, null);
            case RELEASED, DELETED -> metrics.eventSettled(event.direction(), EventOutcome.RETRIED, outcome.reasonCode(), 0, null, null);
        }
    }

    private static String errorText(String reason, String detail) {
        return detail == null || detail.isBlank() ? reason : reason + ": " + detail;
    }

    private static String messageKey(ConsumedSource source, ReceivedMessage message) {
        return source.name() + "/" + message.messageId();
    }

    // ---------------------------------------------------------------- breakers

    private void onBreakerStateChange() {
        for (ConsumedSource source : sources) {
            if (!refreshPause(source) && source.ahead.size() > 0) {
                // Off the thread that tripped the breaker, which may be a copy in progress.
                Thread.ofVirtual().name("give-back-" + source.name()).start(() -> giveBackReceivedAhead(source));
            }
        }
        signal(mayReceiveAgain);
    }

    /**
     * Pauses the source while a breaker it needs is open, lets one message at a time through while
     * one is half-open, and lifts the limit when they are closed.
     *
     * @return false while paused
     */
    private boolean refreshPause(ConsumedSource source) {
        synchronized (source) {
            Set<Endpoint> open = breakers.open(source.requiredEndpoints);
            if (!open.isEmpty()) {
                permits.limit(source.name(), 0);
                if (source.pausedBy.isEmpty()) {
                    source.pausesBegun++;
                }
                if (!open.equals(source.pausedBy)) {
                    log.warn("pausing source {}: circuit breaker {} open; its messages wait in the queue", source.name(), open);
                }
                source.pausedBy = open;
                return false;
            }
            boolean probing = !breakers.halfOpen(source.requiredEndpoints).isEmpty();
            source.probing = probing;
            permits.limit(source.name(), probing ? 1 : FairPermits.UNLIMITED);
            if (!source.pausedBy.isEmpty()) {
                log.info("resuming source {}{}", source.name(), probing ? ", one message at a time while its breakers probe" : "");
            }
            source.pausedBy = Set.of();
            return true;
        }
    }

    private void awaitMayReceiveAgain() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            mayReceiveAgain.await(BREAKER_RECHECK.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- health

    private void healthLoop() {
        try {
            while (state.get() == State.RUNNING) {
                sources.forEach(this::pollDepth);
                probes.forEach(this::runProbe);
                Thread.sleep(settings.healthInterval());
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private void pollDepth(ConsumedSource source) {
        try {
            OptionalLong depth = calls.callOnce(source.queueEndpoint(), source.source::approximateDepth);
            depth.ifPresent(n -> metrics.queueDepth(source.name(), n));
            health.answered(source.component());
        } catch (RuntimeException e) {
            health.failed(source.component(), e.getMessage());
        }
    }

    private void runProbe(HealthProbe probe) {
        try {
            probe.check();
            health.answered(probe.name());
        } catch (RuntimeException e) {
            health.failed(probe.name(), String.valueOf(e.getMessage()));
        }
    }

    private List<String> livenessProblems() {
        return switch (state.get()) {
            case NEW -> List.of("worker not started");
            case STOPPED -> List.of("worker stopped");
            case STOPPING -> List.of();
            case RUNNING -> sources.stream()
                    .flatMap(source -> Stream.of(
                            source.receiveLoops.stream().allMatch(Thread::isAlive) ? null
                                    : "a receive loop of source " + source.name() + " has died",
                            source.dispatchLoop.isAlive() ? null : "dispatch loop of source " + source.name() + " has died"))
                    .filter(Objects::nonNull)
                    .toList();
        };
    }

    private List<String> readinessProblems() {
        List<String> problems = new ArrayList<>();
        switch (state.get()) {
            case NEW -> problems.add("worker not started");
            case STOPPING, STOPPED -> problems.add("worker stopping");
            case RUNNING -> {
            }
        }
        Set<Endpoint> needed = EnumSet.noneOf(Endpoint.class);
        sources.forEach(source -> needed.addAll(source.requiredEndpoints));
        for (Endpoint endpoint : breakers.open(needed)) {
            String paused = sources.stream()
                    .filter(source -> source.requiredEndpoints.contains(endpoint))
                    .map(ConsumedSource::name)
                    .collect(Collectors.joining(", "));
            problems.add("circuit breaker " + endpoint.id() + " is open: paused sources " + paused);
        }
        return problems;
    }

    // ---------------------------------------------------------------- stopping

    private void interruptHandlers() {
        interruptingForShutdown = true;
        handlers.forEach(Thread::interrupt);
    }

    private boolean awaitHandlers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!handlers.isEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                handlerDone.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            // The caller wants out now: treat it as a second stop.
            interruptHandlers();
            Thread.currentThread().interrupt();
            return handlers.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void signal(Condition condition) {
        lock.lock();
        try {
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void joinQuietly(Thread thread, Duration timeout) {
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Builds a {@link Worker}; {@link #calls}, {@link #processor} and at least one source are required. */
    public static final class Builder {
        private WorkerSettings settings = WorkerSettings.DEFAULTS;
        private ResilientCalls calls;
        private EventProcessor processor;
        private WorkerMetrics metrics = WorkerMetrics.NONE;
        private Clock clock = Clock.systemUTC();
        private final List<ConsumedSource> sources = new ArrayList<>();
        private final List<HealthProbe> probes = new ArrayList<>();

        private Builder() {}

        public Builder settings(WorkerSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Retries, breakers and the redelivery delays (its {@code RetrySettings}). */
        public Builder calls(ResilientCalls calls) {
            this.calls = Objects.requireNonNull(calls, "calls");
            return this;
        }

        public Builder processor(EventProcessor processor) {
            this.processor = Objects.requireNonNull(processor, "processor");
            return this;
        }

        public Builder metrics(WorkerMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A source whose events need the endpoints of its type ({@code SourceType.requiredEndpoints()}). */
        public Builder source(MessageSource source, MessageParser parser) {
            return source(source, parser, source.type().requiredEndpoints());
        }

        /**
         * A source whose events need exactly {@code requiredEndpoints} (its own queue endpoint is always
         * added), e.g. without {@code sts} when AWS credentials are static.
         */
        public Builder source(MessageSource source, MessageParser parser, Set<Endpoint> requiredEndpoints) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(parser, "parser");
            Set<Endpoint> endpoints = EnumSet.of(source.type().queueEndpoint());
            endpoints.addAll(requiredEndpoints);
            sources.add(new ConsumedSource(source, parser, Set.copyOf(endpoints)));
            return this;
        }

        /** A readiness probe of a dependency the sources do not cover, e.g. each target store. */
        public Builder probe(HealthProbe probe) {
            probes.add(Objects.requireNonNull(probe, "probe"));
            return this;
        }

        public Worker build() {
            List<String> problems = new ArrayList<>();
            if (calls == null) {
                problems.add("calls (ResilientCalls) must be set");
            }
            if (processor == null) {
                problems.add("processor must be set");
            }
            if (sources.isEmpty()) {
                problems.add("at least one source is needed");
            }
            Set<String> names = new HashSet<>();
            Set<String> duplicates = new LinkedHashSet<>();
            sources.forEach(source -> {
                if (!names.add(source.name())) {
                    duplicates.add(source.name());
                }
            });
            if (!duplicates.isEmpty()) {
                problems.add("source names must be unique, repeated: " + duplicates);
            }
            if (!sources.isEmpty() && settings.maxCopiesInFlight() < sources.size()) {
                problems.add("maxCopiesInFlight (" + settings.maxCopiesInFlight() + ") must be at least the number of sources ("
                        + sources.size() + ") so that every source can make progress");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid worker: " + String.join("; ", problems));
            }
            return new Worker(this);
        }
    }
}
