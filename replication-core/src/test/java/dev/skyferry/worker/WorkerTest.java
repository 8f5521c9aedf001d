package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.skyferry.ack.Outcome;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.Samples;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.queue.SourceType;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.Endpoint;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.LogCapture;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerTest {

    private static final RetrySettings RETRY = new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(10),
            Duration.ofMillis(100), Duration.ofMillis(400));
    private static final Duration VISIBILITY = Duration.ofSeconds(30);
    private static final Outcome REPLICATED = new Outcome.Replicated("copied", 3, Duration.ofMillis(7),
            URI.create("s3://photos-backup/from-azure/a"));

    private final List<Worker> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(worker -> worker.stop(Duration.ZERO));
    }

    private static ResilientCalls calls(CircuitBreakerSettings breakerSettings) {
        return new ResilientCalls(RETRY, new EndpointBreakers(breakerSettings), RetryObserver.NONE);
    }

    private static InMemoryQueue azureQueue(String name, int maxDeliveries, InMemoryQueue.Ledger ledger) {
        return new InMemoryQueue(name, SourceType.AZURE_QUEUE, VISIBILITY, maxDeliveries, ledger);
    }

    private Worker.Builder builder(EventProcessor processor, int maxInFlight) {
        return Worker.builder()
                .settings(new WorkerSettings(maxInFlight, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(50)))
                .calls(calls(CircuitBreakerSettings.DEFAULTS))
                .processor(processor);
    }

    private Worker started(Worker worker) {
        workers.add(worker);
        worker.start();
        return worker;
    }

    private Worker startWorker(EventProcessor processor, InMemoryQueue queue) {
        return started(builder(processor, 4).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
    }

    // ---------------------------------------------------------------- settling

    @Test
    void deletesAMessageOnceEveryEventIsReplicatedOrSkipped() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        List<String> processed = Collections.synchronizedList(new ArrayList<>());
        String id = queue.send("copy:a|ignore:test-event|copy:b");

        startWorker(event -> {
            processed.add(event.key());
            return REPLICATED;
        }, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(processed).containsExactly("a", "b");
        assertThat(queue.releases).isEmpty();
        assertThat(queue.deadLettered).isEmpty();
    }

    @Test
    void logsOneLinePerVerifiedReplicaNamingItsTargetWithItsReceiptInstantAndCopyTime() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        try (LogCapture logs = new LogCapture(Map.of(Worker.class.getName(), Level.INFO))) {
            String id = queue.send("copy:a|ignore:test-event");

            startWorker(event -> REPLICATED, queue);

            await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
            assertThat(linesStartingWith(logs, "replicated ")).singleElement().satisfies(line -> {
                assertThat(line.getFormattedMessage())
                        .matches("replicated \\S+/a \\(\\w+\\): copied 3 bytes, received \\S+Z, copied and verified in 7 ms");
                // The audit trail answers "which event wrote this replica?" (docs/configuration.md, Log fields).
                assertThat(line.getMDCPropertyMap()).containsKeys("source", "messageId", "eventId", "object")
                        .containsEntry("target", "s3://photos-backup/from-azure/a");
            });
        }
    }

    @Test
    void anIgnoredEventIsCountedAndLoggedUnderItsStableCodeWithTheParsersReasonAsDetail() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        RecordingMetrics metrics = new RecordingMetrics();
        String appendBlobCreated = Samples.read("azure/eventgrid-blobcreated-putblob.json")
                .replace("\"BlockBlob\"", "\"AppendBlob\"");
        try (LogCapture logs = new LogCapture(Map.of(Worker.class.getName(), Level.INFO))) {
            String id = queue.send(appendBlobCreated);

            started(builder(event -> REPLICATED, 4).metrics(metrics)
                    .source(queue, new EventParser()::parseAzureQueueMessage).build());

            await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id) && metrics.settled.size() == 1);
            // A code, not the reason's text: the label's values stay a fixed set.
            assertThat(metrics.settled).containsExactly("azure-to-s3 skipped append-or-page-blob 0 null null");
            assertThat(linesStartingWith(logs, "ignored: ")).singleElement().satisfies(line -> {
                assertThat(line.getFormattedMessage())
                        .startsWith("ignored: append-or-page-blob: event 1: data.blobType AppendBlob is not replicated");
                assertThat(line.getMDCPropertyMap()).containsEntry("eventId", "831e1650-001e-001b-66ab-eeb76e069631")
                        .containsEntry("messageId", id);
            });
        }
    }

    @Test
    void theLinesThatSettleAMessageNameEveryEventItHeld() {
        InMemoryQueue queue = azureQueue("azure-events", 2, new InMemoryQueue.Ledger(4));
        try (LogCapture logs = new LogCapture(Map.of(Worker.class.getName(), Level.INFO))) {
            queue.send("copy:a|ignore:test-event|copy:b");

            startWorker(event -> new Outcome.Retry("throttled", "503 SlowDown", null), queue);

            // Released after the first delivery, dead-lettered (retries exhausted) after the second.
            await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> !linesStartingWith(logs, "dead-lettered ").isEmpty());
            List<ILoggingEvent> settling = new ArrayList<>(linesStartingWith(logs, "released "));
            settling.addAll(linesStartingWith(logs, "dead-lettered "));
            assertThat(settling).hasSize(2).allSatisfy(line -> assertThat(line.getMDCPropertyMap())
                    .containsEntry("eventId", "id-a,event-ignore:test-event,id-b").containsKey("messageId"));
        }
    }

    private static List<ILoggingEvent> linesStartingWith(LogCapture logs, String prefix) {
        return logs.events().stream().filter(line -> line.getFormattedMessage().startsWith(prefix)).toList();
    }

    @Test
    void releasesTransientFailuresWithADelayGrowingPerDelivery() {
        InMemoryQueue queue = azureQueue("azure-events", 100, new InMemoryQueue.Ledger(4));
        queue.send("copy:a");

        startWorker(event -> new Outcome.Retry("throttled", "503 SlowDown", null), queue);

        await().atMost(Duration.ofSeconds(20)).until(() -> queue.releases.size() >= 4);
        assertThat(queue.releases.subList(0, 4)).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(400));
        assertThat(queue.deleted).isEmpty();
    }

    @Test
    void deadLettersAnUnreadableMessageWithTheParsersReasonAndTheOriginalText() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        AtomicInteger processed = new AtomicInteger();
        queue.send("copy:a|garbage");

        startWorker(event -> {
            processed.incrementAndGet();
            return REPLICATED;
        }, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
        InMemoryQueue.DeadLettered dead = queue.deadLettered.getFirst();
        assertThat(dead.text()).isEqualTo("copy:a|garbage");
        assertThat(dead.facts().reason()).isEqualTo(Worker.UNPARSEABLE);
        assertThat(dead.facts().lastError()).isEqualTo("unparseable: not an event: garbage");
        assertThat(dead.facts().attempts()).isEqualTo(1);
        assertThat(processed).as("the readable event is still replicated").hasValue(1);
    }

    @Test
    void deadLettersAPermanentFailureAtOnce() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        queue.send("copy:secret");

        startWorker(event -> new Outcome.DeadLetter("forbidden", "403 AccessDenied on " + event.key()
                + " via https://acct.blob.core.windows.net/c/secret?sv=2024&sig=SECRET", null), queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
        InMemoryQueue.DeadLettered dead = queue.deadLettered.getFirst();
        assertThat(dead.facts().reason()).isEqualTo("forbidden");
        assertThat(dead.facts().lastError())
                .startsWith("forbidden: 403 AccessDenied on secret")
                .doesNotContain("SECRET")
                .contains("https://acct.blob.core.windows.net/c/secret?<redacted>");
        assertThat(queue.releases).isEmpty();
    }

    @Test
    void onTheLastAllowedDeliveryATransientFailureIsDeadLetteredNamingFirstAndLastError() {
        InMemoryQueue queue = azureQueue("azure-events", 3, new InMemoryQueue.Ledger(4));
        AtomicInteger attempts = new AtomicInteger();
        queue.send("copy:a");

        startWorker(event -> new Outcome.Retry("throttled", "attempt " + attempts.incrementAndGet(), null), queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
        InMemoryQueue.DeadLettered dead = queue.deadLettered.getFirst();
        assertThat(dead.facts().reason()).isEqualTo(Worker.RETRIES_EXHAUSTED);
        assertThat(dead.facts().attempts()).isEqualTo(3);
        assertThat(dead.facts().firstError()).isEqualTo("throttled: attempt 1");
        assertThat(dead.facts().lastError()).isEqualTo("throttled: attempt 3");
        assertThat(dead.facts().firstErrorAt()).isBefore(dead.facts().deadLetteredAt());
        assertThat(queue.releases).hasSize(2);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aMessageDeliveredMoreOftenThanAllowedIsDeadLetteredWithoutProcessingIt() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        AtomicInteger processed = new AtomicInteger();
        queue.send("copy:crashes-workers", 5);

        startWorker(event -> {
            processed.incrementAndGet();
            return REPLICATED;
        }, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
        assertThat(queue.deadLettered.getFirst().facts().reason()).isEqualTo(Worker.MAX_DELIVERIES_EXCEEDED);
        assertThat(queue.deadLettered.getFirst().facts().attempts()).isEqualTo(6);
        assertThat(processed).hasValue(0);
    }

    @Test
    void aProcessorThatThrowsDoesNotLoseTheMessage() {
        InMemoryQueue queue = azureQueue("azure-events", 100, new InMemoryQueue.Ledger(4));
        queue.send("copy:a");

        startWorker(event -> {
            throw new IllegalStateException("bug");
        }, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.deadLettered.isEmpty());
        assertThat(queue.deadLettered.getFirst().facts().reason()).isEqualTo(Worker.PROCESSOR_ERROR);
        assertThat(queue.deadLettered.getFirst().facts().lastError()).contains("IllegalStateException: bug");
    }

    // ---------------------------------------------------------------- visibility

    @Test
    void aCopyOutlivingTheVisibilityTimeoutIsProcessedOnceWhileASecondWorkerPolls() {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(8);
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofMillis(300), 5, ledger);
        AtomicInteger processed = new AtomicInteger();
        EventProcessor slowCopy = event -> {
            processed.incrementAndGet();
            sleep(Duration.ofMillis(1_500)); // five visibility timeouts
            return REPLICATED;
        };
        String id = queue.send("copy:big");

        startWorker(slowCopy, queue);
        startWorker(slowCopy, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(processed).hasValue(1);
        assertThat(queue.extensions.get()).isGreaterThanOrEqualTo(3);
    }

    // ---------------------------------------------------------------- permits and fairness

    @Test
    void aFloodedSourceDoesNotStarveAQuietOne() {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(4);
        InMemoryQueue flooded = azureQueue("flooded", 5, ledger);
        InMemoryQueue quiet = new InMemoryQueue("quiet", SourceType.SQS, VISIBILITY, Integer.MAX_VALUE, ledger);
        for (int i = 0; i < 40; i++) {
            flooded.send("copy:f" + i);
        }
        List<String> quietIds = List.of(quiet.send("copy:q1"), quiet.send("copy:q2"), quiet.send("copy:q3"));
        CountDownLatch floodGate = new CountDownLatch(1);
        AtomicInteger floodedStarted = new AtomicInteger();
        EventProcessor processor = event -> {
            ledger.started(event.source() == StoreKind.AZURE_BLOB ? "flooded" : "quiet");
            if (event.source() == StoreKind.AZURE_BLOB) {
                floodedStarted.incrementAndGet();
                awaitLatch(floodGate);
            }
            ledger.copied();
            return REPLICATED;
        };

        started(builder(processor, 4)
                .source(flooded, TestEvents.parser(StoreKind.AZURE_BLOB))
                .source(quiet, TestEvents.parser(StoreKind.S3))
                .build());

        // Every flooded copy blocks, yet the quiet source's messages all get through.
        await().atMost(Duration.ofSeconds(10)).until(() -> quiet.deleted.containsAll(quietIds));
        assertThat(floodedStarted.get()).isBetween(1, 3);
        floodGate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> flooded.deleted.size() == 40);
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void aMessageWaitingForItsDeleteLeavesItsCopySlotToTheNext() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(1));
        String first = queue.send("copy:a");
        String second = queue.send("copy:b");
        CountDownLatch deletes = queue.holdDeletes();
        List<String> copied = Collections.synchronizedList(new ArrayList<>());

        started(builder(event -> {
            copied.add(event.key());
            return REPLICATED;
        }, 1).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());

        // One copy slot: the second message is copied while the first one's delete still waits.
        await().atMost(Duration.ofSeconds(10)).until(() -> copied.size() == 2);
        assertThat(queue.deleted).isEmpty();
        deletes.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.containsAll(List.of(first, second)));
    }

    @Test
    void receivesAheadAtMostTwoRoundsOfCopiesAndCopiesNoMoreThanTheLimit() {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(3);
        InMemoryQueue first = azureQueue("first", 5, ledger);
        InMemoryQueue second = new InMemoryQueue("second", SourceType.SQS, VISIBILITY, Integer.MAX_VALUE, ledger);
        for (int i = 0; i < 30; i++) {
            first.send("copy:a" + i);
            second.send("copy:b" + i);
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        EventProcessor processor = event -> {
            ledger.started(event.source() == StoreKind.AZURE_BLOB ? "first" : "second");
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            sleep(Duration.ofMillis(5 + event.key().hashCode() % 10 & 15));
            running.decrementAndGet();
            ledger.copied();
            return REPLICATED;
        };

        started(builder(processor, 3)
                .source(first, TestEvents.parser(StoreKind.AZURE_BLOB))
                .source(second, TestEvents.parser(StoreKind.S3))
                .build());

        await().atMost(Duration.ofSeconds(30)).until(() -> first.deleted.size() == 30 && second.deleted.size() == 30);
        assertThat(ledger.violations()).isEmpty();
        assertThat(ledger.mostCopying()).isLessThanOrEqualTo(3);
        assertThat(mostRunning.get()).isLessThanOrEqualTo(3);
        // per source 6 received ahead (twice the limit) or being received; 3 copying; 3 settling
        assertThat(ledger.mostHeld()).isLessThanOrEqualTo(2 * 6 + 3 + 3);
    }

    @Test
    void aBusySourceWhoseQueueAnswersSlowlyHasSeveralReceivesInFlight() {
        Drained drained = drainSlowQueue(4, 40, Duration.ofMillis(150));

        // Receives of one round of copies (4), as many at once as twice that leaves room for.
        assertThat(drained.queue().mostReceivesInFlight).hasValue(2);
        assertThat(drained.ledger().mostAskedInFlight("slow")).isEqualTo(8);
    }

    @Test
    void receivesInFlightAreCappedHoweverHighTheCopyLimit() {
        Drained drained = drainSlowQueue(40, 200, Duration.ofMillis(100));

        // Room for 80 (twice the limit) in receives of 10 (the batch size): eight would fit, four are sent.
        assertThat(drained.queue().mostReceivesInFlight).hasValue(Worker.MAX_RECEIVES_IN_FLIGHT);
        assertThat(drained.ledger().mostAskedInFlight("slow")).isEqualTo(40);
    }

    private record Drained(InMemoryQueue queue, InMemoryQueue.Ledger ledger) {}

    /** {@code messages} on a queue answering each receive after {@code latency}, all copied and deleted within the limits. */
    private Drained drainSlowQueue(int copyLimit, int messages, Duration latency) {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(copyLimit);
        InMemoryQueue queue = azureQueue("slow", 5, ledger);
        queue.receiveLatency = latency;
        for (int i = 0; i < messages; i++) {
            queue.send("copy:a" + i);
        }

        started(builder(copyingIn(ledger, "slow"), copyLimit).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.deleted.size() == messages);
        assertThat(ledger.violations()).isEmpty();
        return new Drained(queue, ledger);
    }

    @Test
    void anIdleSourceIsPolledByOneReceiveAtATimeForOneMessage() {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(8);
        InMemoryQueue queue = azureQueue("idle", 5, ledger);

        started(builder(copyingIn(ledger, "idle"), 8).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());

        await().atMost(Duration.ofSeconds(5)).until(() -> queue.receives.get() >= 20);
        assertThat(queue.mostReceivesInFlight).hasValue(1);
        assertThat(ledger.mostAskedInFlight("idle")).isEqualTo(1);
        // A message arriving finds the poller; the source turns busy and is received in full receives again.
        queue.receiveLatency = Duration.ofMillis(100);
        for (int i = 0; i < 40; i++) {
            queue.send("copy:a" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.deleted.size() == 40);
        assertThat(queue.mostReceivesInFlight).hasValue(2);
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void theNextMessageIsReceivedAheadWhileACopyRunsAndKeptInvisibleUntilItsTurn() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofMillis(300), 5,
                new InMemoryQueue.Ledger(1));
        String first = queue.send("copy:a");
        String second = queue.send("copy:b");
        CountDownLatch firstCopy = new CountDownLatch(1);
        List<String> copied = Collections.synchronizedList(new ArrayList<>());
        EventProcessor processor = event -> {
            copied.add(event.key());
            if (event.key().equals("a")) {
                awaitLatch(firstCopy);
            }
            return REPLICATED;
        };
        started(builder(processor, 1).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());

        // One copy slot: while "a" is copied, the worker has already received "b".
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.deliveries(second) == 1);
        startWorker(processor, queue);
        sleep(Duration.ofMillis(1_200)); // four visibility timeouts, while a second worker polls
        assertThat(queue.deliveries(second)).as("kept invisible by its heartbeat").isEqualTo(1);
        assertThat(copied).containsExactly("a");
        firstCopy.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.containsAll(List.of(first, second)));
        assertThat(copied).containsExactly("a", "b");
    }

    @Test
    void anOpenBreakerGivesTheMessagesReceivedAheadBackToTheQueue() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(1));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofSeconds(1)));
        String first = queue.send("copy:a");
        String second = queue.send("copy:b");
        CountDownLatch firstCopy = new CountDownLatch(1);
        List<String> copied = Collections.synchronizedList(new ArrayList<>());
        started(builder(event -> {
            copied.add(event.key());
            if (event.key().equals("a")) {
                awaitLatch(firstCopy);
            }
            return REPLICATED;
        }, 1).calls(calls).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.deliveries(second) == 1);

        calls.breakers().breaker(Endpoint.S3).transitionToOpenState();

        await().atMost(Duration.ofSeconds(5)).until(() -> queue.releases.contains(Duration.ZERO));
        firstCopy.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.containsAll(List.of(first, second)));
        assertThat(copied).containsExactly("a", "b");
        // Released at once, for any worker; again if the breaker opened again while "b" waited once more.
        assertThat(queue.releases).isNotEmpty().containsOnly(Duration.ZERO);
    }

    // ---------------------------------------------------------------- circuit breakers

    @Test
    void anOpenBreakerPausesTheSourcesThatNeedItAndConsumptionResumesByItself() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofSeconds(2)));
        Worker worker = started(builder(event -> REPLICATED, 4)
                .calls(calls)
                .source(queue, TestEvents.parser(StoreKind.AZURE_BLOB))
                .build());
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.health().readiness().ok());

        calls.breakers().breaker(Endpoint.S3).transitionToOpenState();
        String id = queue.send("copy:waits");

        assertThat(worker.health().readiness().reasons())
                .contains("circuit breaker s3 is open: paused sources azure-events");
        sleep(Duration.ofMillis(500));
        assertThat(queue.deliveries(id)).as("not received while s3's breaker is open").isZero();

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(worker.health().readiness().reasons()).noneMatch(reason -> reason.startsWith("circuit breaker"));
    }

    @Test
    void whileABreakerProbesTheSourceReceivesOnlyTheMessageItTriesSoAnOutageSpendsNoOtherDeliveries() {
        int maxDeliveries = 2;
        InMemoryQueue queue = azureQueue("azure-events", maxDeliveries, new InMemoryQueue.Ledger(2));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(5)));
        CircuitBreaker s3 = calls.breakers().breaker(Endpoint.S3);
        s3.transitionToOpenState(); // S3 is down
        Map<String, String> idsByText = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            idsByText.put("copy:m" + i, queue.send("copy:m" + i));
        }
        List<String> tried = Collections.synchronizedList(new ArrayList<>());
        started(builder(event -> {
            tried.add("copy:" + event.key());
            // The probe fails once S3's breaker has decided that S3 is still down.
            while (s3.getState() == CircuitBreaker.State.HALF_OPEN) {
                sleep(Duration.ofMillis(5));
            }
            return s3.getState() == CircuitBreaker.State.CLOSED ? REPLICATED : new Outcome.Retry("unavailable", "503 from S3", null);
        }, 2).calls(calls).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());

        for (int cycle = 1; cycle <= maxDeliveries; cycle++) {
            int probes = cycle;
            s3.transitionToHalfOpenState(); // waitInOpenState is over: probe
            await().atMost(Duration.ofSeconds(5)).until(() -> tried.size() == probes);
            sleep(Duration.ofMillis(300)); // time to receive ahead, were it allowed
            s3.transitionToOpenState(); // the probe failed: S3 is still down
            // Settled: released for a later retry (given-back messages are released at once), or dead-lettered.
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    queue.releases.stream().filter(Duration::isPositive).count() + queue.deadLettered.size() >= probes);
        }

        assertThat(idsByText).allSatisfy((text, id) -> {
            if (!tried.contains(text)) {
                assertThat(queue.deliveries(id)).as("deliveries of %s, never tried", text).isZero();
            }
        });
        s3.transitionToClosedState(); // S3 is back
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() == 0);
        assertThat(queue.deadLettered).allSatisfy(dead -> assertThat(tried).as("dead-lettered only once tried").contains(dead.text()));
    }

    @Test
    void messagesAReceiveBringsAfterABreakerOpenedGoStraightBackInsteadOfWaitingInvisible() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(1));
        queue.receiveLatency = Duration.ofSeconds(1);
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(5)));
        List<String> ids = List.of(queue.send("copy:a"), queue.send("copy:b"), queue.send("copy:c"));
        CountDownLatch firstCopying = new CountDownLatch(1);
        CountDownLatch firstCopy = new CountDownLatch(1);
        started(builder(event -> {
            if (event.key().equals("a")) {
                firstCopying.countDown();
                awaitLatch(firstCopy);
            }
            return REPLICATED;
        }, 1).calls(calls).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
        // "a" holds the one copy slot; two receives, one per place in the buffer, are fetching "b" and "c".
        awaitLatch(firstCopying);
        sleep(Duration.ofMillis(200));

        calls.breakers().breaker(Endpoint.S3).transitionToOpenState();

        // In the buffer they would wait invisible for as long as the breaker stays open.
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.releases.size() == 2);
        assertThat(queue.releases).containsOnly(Duration.ZERO);
        assertThat(queue.receives).as("none received since").hasValue(3);
        queue.receiveLatency = Duration.ZERO;
        firstCopy.countDown();
        calls.breakers().breaker(Endpoint.S3).transitionToClosedState();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.containsAll(ids));
    }

    @Test
    void aQueueBreakerOpeningMidCopyStillLetsTheHeartbeatAndTheDeleteThrough() {
        InMemoryQueue.Ledger ledger = new InMemoryQueue.Ledger(8);
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofMillis(300), 5, ledger);
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(5)));
        CountDownLatch copying = new CountDownLatch(1);
        AtomicInteger copies = new AtomicInteger();
        EventProcessor slowCopy = event -> {
            copies.incrementAndGet();
            copying.countDown();
            sleep(Duration.ofMillis(1_500));
            return REPLICATED;
        };
        String id = queue.send("copy:big");
        started(builder(slowCopy, 4).calls(calls).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
        awaitLatch(copying);

        calls.breakers().breaker(Endpoint.AZURE_QUEUE).transitionToOpenState();
        startWorker(slowCopy, queue); // its own breakers are closed: it polls the same queue throughout

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(copies).hasValue(1);
        assertThat(queue.extensions.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aBreakerOfAnEndpointTheSourceDoesNotNeedLeavesItRunning() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(5)));
        started(builder(event -> REPLICATED, 4)
                .calls(calls)
                .source(queue, TestEvents.parser(StoreKind.AZURE_BLOB))
                .build());

        calls.breakers().breaker(Endpoint.SQS).transitionToOpenState();
        String id = queue.send("copy:flows");

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
    }

    // ---------------------------------------------------------------- stopping

    @Test
    void stopLetsInFlightMessagesFinishWithinTheGrace() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        CountDownLatch started = new CountDownLatch(1);
        String id = queue.send("copy:a");
        Worker worker = startWorker(event -> {
            started.countDown();
            sleep(Duration.ofMillis(300));
            return REPLICATED;
        }, queue);
        awaitLatch(started);

        worker.stop(Duration.ofSeconds(10));

        assertThat(queue.deleted).containsExactly(id);
        assertThat(queue.releases).isEmpty();
        assertThat(worker.inFlight()).isZero();
    }

    @Test
    void stopPastTheGraceInterruptsTheCopyAndReleasesTheMessageForAnotherWorker() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger completed = new AtomicInteger();
        String id = queue.send("copy:a");
        Worker first = startWorker(event -> {
            started.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5));
                return REPLICATED;
            } catch (InterruptedException e) {
                return new Outcome.Retry(Worker.INTERRUPTED, "aborted the upload", e);
            }
        }, queue);
        awaitLatch(started);

        first.stop(Duration.ofMillis(200));

        assertThat(queue.releases).containsExactly(Duration.ZERO);
        assertThat(queue.deleted).isEmpty();
        startWorker(event -> {
            completed.incrementAndGet();
            return REPLICATED;
        }, queue);
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(completed).hasValue(1);
    }

    @Test
    void stopGivesTheMessagesReceivedAheadBackUnprocessed() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(1));
        queue.send("copy:a");
        String second = queue.send("copy:b");
        List<String> copied = Collections.synchronizedList(new ArrayList<>());
        Worker worker = started(builder(event -> {
            copied.add(event.key());
            sleep(Duration.ofMillis(300));
            return REPLICATED;
        }, 1).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.deliveries(second) == 1);

        worker.stop(Duration.ofSeconds(10));

        assertThat(copied).containsExactly("a");
        assertThat(queue.releases).containsExactly(Duration.ZERO);
        assertThat(queue.deliveries(second)).isEqualTo(1);
    }

    @Test
    void aSecondStopInterruptsAtOnce() throws InterruptedException {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        CountDownLatch started = new CountDownLatch(1);
        queue.send("copy:a");
        Worker worker = startWorker(event -> {
            started.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5));
                return REPLICATED;
            } catch (InterruptedException e) {
                return new Outcome.Retry(Worker.INTERRUPTED, "aborted", e);
            }
        }, queue);
        awaitLatch(started);
        Thread firstStop = Thread.ofVirtual().start(() -> worker.stop(Duration.ofMinutes(5)));
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.health().readiness().reasons().contains("worker stopping"));

        worker.stop(Duration.ofMinutes(5));

        assertThat(firstStop.join(Duration.ofSeconds(10))).as("the first stop returns once the copy is interrupted").isTrue();
        assertThat(queue.releases).containsExactly(Duration.ZERO);
    }

    // ---------------------------------------------------------------- health and metrics

    @Test
    void healthSaysWhyTheWorkerIsNotLiveOrNotReady() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        AtomicInteger probeFailures = new AtomicInteger(1);
        Worker worker = builder(event -> REPLICATED, 4)
                .source(queue, TestEvents.parser(StoreKind.AZURE_BLOB))
                .probe(HealthProbe.of("target s3://backup", () -> {
                    if (probeFailures.get() > 0) {
                        throw new IllegalStateException("connection refused");
                    }
                }))
                .build();
        workers.add(worker);

        assertThat(worker.health().liveness().reasons()).containsExactly("worker not started");
        assertThat(worker.health().readiness().reasons()).contains("worker not started", "source azure-events: no answer yet");

        worker.start();

        assertThat(worker.health().liveness().ok()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(worker.health().readiness().reasons())
                .singleElement().asString().startsWith("target s3://backup: connection refused (since "));
        probeFailures.set(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.health().readiness().ok());

        worker.stop(Duration.ZERO);

        assertThat(worker.health().liveness().reasons()).containsExactly("worker stopped");
        assertThat(worker.health().readiness().reasons()).contains("worker stopping");
    }

    @Test
    void countsEachEventByDirectionOutcomeAndReasonOnceItsMessageSettles() {
        InMemoryQueue azure = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(4));
        RecordingMetrics metrics = new RecordingMetrics();
        azure.send("copy:a|ignore:not-a-committed-write");
        azure.send("rubbish");

        started(builder(event -> new Outcome.Replicated("copied", 42, Duration.ofMillis(9), URI.create("s3://photos-backup/a")), 4)
                .metrics(metrics)
                .source(azure, TestEvents.parser(StoreKind.AZURE_BLOB))
                .build());

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.settled.size() == 3);
        assertThat(metrics.received).containsExactlyInAnyOrder(
                "azure-events azure-to-s3", "azure-events azure-to-s3", "azure-events azure-to-s3");
        assertThat(metrics.settled).containsExactlyInAnyOrder(
                "azure-to-s3 replicated replicated 42 PT0.009S lag",
                "azure-to-s3 skipped not-a-committed-write 0 null null",
                "azure-to-s3 dead_lettered unparseable 0 null null");
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.depths.contains("azure-events 0"));
    }

    @Test
    void reportsWhereAMessagesTimeGoesReceiveWaitForASlotAndSettlingCall() {
        InMemoryQueue queue = azureQueue("azure-events", 5, new InMemoryQueue.Ledger(1));
        queue.receiveLatency = Duration.ofMillis(60);
        RecordingMetrics metrics = new RecordingMetrics();
        CountDownLatch firstCopy = new CountDownLatch(1);
        queue.send("copy:a");
        queue.send("copy:retry");
        queue.send("rubbish");

        started(builder(event -> {
            if (event.key().equals("a")) {
                awaitLatch(firstCopy);
                return REPLICATED;
            }
            return new Outcome.Retry("throttled", "503", null);
        }, 1).metrics(metrics).source(queue, TestEvents.parser(StoreKind.AZURE_BLOB)).build());
        // One copy slot: the messages received with or after "a" wait for it while "a" is copied.
        sleep(Duration.ofMillis(500));
        firstCopy.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.settleCalls.stream().map(call -> call.split(" ")[1])
                .collect(Collectors.toSet()).containsAll(List.of("delete", "release", "dead_letter")));
        assertThat(metrics.receives).isNotEmpty().allSatisfy(receive -> {
            assertThat(receive.source()).isEqualTo("azure-events");
            assertThat(receive.roundTrip()).isGreaterThanOrEqualTo(Duration.ofMillis(60));
        });
        assertThat(metrics.slotWaits).hasSizeGreaterThanOrEqualTo(3)
                .anySatisfy(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofMillis(250)));
        assertThat(metrics.settleCalls).allSatisfy(call -> assertThat(call).startsWith("azure-events "));
    }

    @Test
    void refusesAnIncompleteOrUnfairSetup() {
        InMemoryQueue one = azureQueue("same", 5, new InMemoryQueue.Ledger(4));
        InMemoryQueue two = azureQueue("same", 5, new InMemoryQueue.Ledger(4));
        InMemoryQueue three = azureQueue("other", 5, new InMemoryQueue.Ledger(4));

        assertThatThrownBy(() -> Worker.builder().build())
                .hasMessageContaining("calls (ResilientCalls) must be set")
                .hasMessageContaining("processor must be set")
                .hasMessageContaining("at least one source is needed");
        assertThatThrownBy(() -> builder(event -> REPLICATED, 2)
                .source(one, TestEvents.parser(StoreKind.AZURE_BLOB))
                .source(two, TestEvents.parser(StoreKind.AZURE_BLOB))
                .source(three, TestEvents.parser(StoreKind.AZURE_BLOB))
                .build())
                .hasMessageContaining("source names must be unique, repeated: [same]")
                .hasMessageContaining("maxCopiesInFlight (2) must be at least the number of sources (3)");
    }

    // ---------------------------------------------------------------- helpers

    private static final class RecordingMetrics implements WorkerMetrics {
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final List<String> settled = Collections.synchronizedList(new ArrayList<>());
        final List<String> depths = Collections.synchronizedList(new ArrayList<>());
        final List<Receive> receives = Collections.synchronizedList(new ArrayList<>());
        final List<Duration> slotWaits = Collections.synchronizedList(new ArrayList<>());
        final List<String> settleCalls = Collections.synchronizedList(new ArrayList<>());

        record Receive(String source, Duration roundTrip) {}

        @Override
        public void eventReceived(String source, Direction direction) {
            received.add(source + " " + direction);
        }

        @Override
        public void eventSettled(Direction direction, EventOutcome outcome, String reason, long bytes,
                                 Duration copyDuration, Duration lag) {
            settled.add(direction + " " + outcome + " " + reason + " " + bytes + " " + copyDuration + " "
                    + (lag == null ? null : lag.isPositive() ? "lag" : "negative lag " + lag));
        }

        @Override
        public void queueDepth(String source, long depth) {
            depths.add(source + " " + depth);
        }

        @Override
        public void receiveAnswered(String source, Duration roundTrip) {
            receives.add(new Receive(source, roundTrip));
        }

        @Override
        public void copySlotWaited(String source, Duration wait) {
            slotWaits.add(wait);
        }

        @Override
        public void settleAnswered(String source, String action, Duration roundTrip) {
            settleCalls.add(source + " " + action);
        }
    }

    /** Replicates every event at once, telling the ledger when its copy starts and ends. */
    private static EventProcessor copyingIn(InMemoryQueue.Ledger ledger, String source) {
        return event -> {
            ledger.started(source);
            ledger.copied();
            return REPLICATED;
        };
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
