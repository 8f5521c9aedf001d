package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import dev.skyferry.ack.Outcome;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.AzureQueueSource;
import dev.skyferry.queue.SqsDeadLetterAttributes;
import dev.skyferry.queue.SqsSource;
import dev.skyferry.queue.SqsSourceSettings;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.Endpoint;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The worker on real queues (Azurite, ElasticMQ) with the real event parser. */
@ExtendWith(EmulatorExtension.class)
class WorkerOnQueuesTest {

    /** Redelivery in whole seconds: both services count visibility in seconds. */
    private static final RetrySettings RETRY = new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(10),
            Duration.ofSeconds(1), Duration.ofSeconds(2));
    private static final Outcome REPLICATED = new Outcome.Replicated("copied", 3, Duration.ofMillis(5),
            URI.create("s3://photos-backup/a"));
    private static final EventParser PARSER = new EventParser();

    private final List<Worker> workers = new ArrayList<>();
    private Emulators emulators;
    private QueueServiceClient rawQueues;
    private SqsClient sqs;

    @BeforeEach
    void setUp(Emulators emulators) {
        this.emulators = emulators;
        rawQueues = emulators.queueService(QueueMessageEncoding.NONE);
        sqs = emulators.sqsClient();
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(worker -> worker.stop(Duration.ZERO));
    }

    // ---------------------------------------------------------------- fixtures

    private record AzureQueues(QueueClient queue, QueueClient poison) {}

    private AzureQueues azureQueues() {
        String name = Emulators.freshName("wq");
        return new AzureQueues(rawQueues.createQueue(name), rawQueues.createQueue(name + "-poison"));
    }

    private AzureQueueSource azureSource(AzureQueues queues, Duration visibility, int maxDequeueCount) {
        return new AzureQueueSource(new AzureQueueSettings("azure-events", visibility, maxDequeueCount,
                Duration.ofMillis(50), Duration.ofMillis(200)), queues.queue(), queues.poison(), Clock.systemUTC());
    }

    private String blobCreated(String blobName) {
        return SyntheticEvents.azureBlobCreated(emulators.azureAccount(), "photos", blobName, "0x8DCAFE", 3,
                "text/plain", "0000000000000000000000000000000000000000000000000000000000000001",
                emulators.blobEndpoint(), Instant.now());
    }

    /** Event Grid writes base64 to storage queues: send through a base64-encoding client, read raw. */
    private void sendBase64(AzureQueues queues, String text) {
        emulators.queueService().getQueueClient(queues.queue().getQueueName()).sendMessage(text);
    }

    private String sqsQueue(String name, Map<QueueAttributeName, String> attributes) {
        return sqs.createQueue(r -> r.queueName(name).attributes(attributes)).queueUrl();
    }

    private SqsSource sqsSource(String queueUrl, String dlqUrl, Duration visibility) {
        return new SqsSource(new SqsSourceSettings("s3-events", queueUrl, dlqUrl, visibility, Duration.ofSeconds(1)),
                sqs, emulators.sqsDeletes(), Clock.systemUTC());
    }

    private String objectCreated(String key) {
        return SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), "backup", key, 3, "etag", null, "0055AED6DCD90281E5", Instant.now());
    }

    private Worker start(EventProcessor processor, ResilientCalls calls, AzureQueueSource azure, SqsSource s3) {
        Worker.Builder builder = Worker.builder()
                .settings(new WorkerSettings(4, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .calls(calls)
                .processor(processor);
        if (azure != null) {
            builder.source(azure, PARSER::parseAzureQueueMessage);
        }
        if (s3 != null) {
            builder.source(s3, PARSER::parseSqsMessage);
        }
        Worker worker = builder.build();
        workers.add(worker);
        worker.start();
        return worker;
    }

    private static ResilientCalls calls(CircuitBreakerSettings breakers) {
        return new ResilientCalls(RETRY, new EndpointBreakers(breakers), RetryObserver.NONE);
    }

    private static ResilientCalls calls() {
        return calls(CircuitBreakerSettings.DEFAULTS);
    }

    private static List<PeekedMessageItem> peek(QueueClient queue) {
        return queue.peekMessages(32, null, null).stream().toList();
    }

    private List<Message> receiveAll(String queueUrl) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
    }

    private static long approximateCount(QueueClient queue) {
        return queue.getProperties().getApproximateMessagesCountLong();
    }

    // ---------------------------------------------------------------- visibility

    @Test
    void aCopyOutlivingTheAzureVisibilityTimeoutIsProcessedOnce() {
        AzureQueues queues = azureQueues();
        AtomicInteger copies = new AtomicInteger();
        EventProcessor slowCopy = event -> {
            copies.incrementAndGet();
            sleep(Duration.ofSeconds(4)); // four visibility timeouts
            return REPLICATED;
        };
        sendBase64(queues, blobCreated("big.bin"));

        start(slowCopy, calls(), azureSource(queues, Duration.ofSeconds(1), 5), null);
        start(slowCopy, calls(), azureSource(queues, Duration.ofSeconds(1), 5), null);

        await().atMost(Duration.ofSeconds(30)).until(() -> copies.get() >= 1 && approximateCount(queues.queue()) == 0);
        sleep(Duration.ofSeconds(2)); // a second delivery, were there one, would start now
        assertThat(copies).hasValue(1);
    }

    @Test
    void aCopyOutlivingTheSqsVisibilityTimeoutIsProcessedOnce() {
        String queueUrl = sqsQueue(Emulators.freshName("wq"), Map.of());
        AtomicInteger copies = new AtomicInteger();
        EventProcessor slowCopy = event -> {
            copies.incrementAndGet();
            sleep(Duration.ofSeconds(4));
            return REPLICATED;
        };
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(objectCreated("big.bin")));

        start(slowCopy, calls(), null, sqsSource(queueUrl, null, Duration.ofSeconds(1)));
        start(slowCopy, calls(), null, sqsSource(queueUrl, null, Duration.ofSeconds(1)));

        await().atMost(Duration.ofSeconds(30)).until(() -> copies.get() >= 1 && depth(queueUrl) == 0);
        sleep(Duration.ofSeconds(2));
        assertThat(copies).hasValue(1);
    }

    private long depth(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    // ---------------------------------------------------------------- dead-lettering

    @Test
    void anUnreadableAzureMessageReachesThePoisonQueueWithTheReasonAndItsOriginalText() {
        AzureQueues queues = azureQueues();
        String garbage = "this is not an event {";
        queues.queue().sendMessage(garbage);

        start(event -> REPLICATED, calls(), azureSource(queues, Duration.ofSeconds(30), 5), null);

        await().atMost(Duration.ofSeconds(20)).until(() -> !peek(queues.poison()).isEmpty());
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.parse(peek(queues.poison()).getFirst().getBody().toString())
                .orElseThrow();
        assertThat(envelope.originalText()).isEqualTo(garbage);
        assertThat(envelope.reason()).isEqualTo(Worker.UNPARSEABLE);
        assertThat(envelope.lastError()).startsWith("unparseable: ");
        assertThat(envelope.attempts()).isEqualTo(1);
        // The worker deletes the original only after the poison copy is stored, so the delete may still be in flight here.
        await().atMost(Duration.ofSeconds(10)).until(() -> approximateCount(queues.queue()) == 0);
    }

    @Test
    void aPermanentFailureReachesTheAzurePoisonQueueWithTheBase64TextAsStored() {
        AzureQueues queues = azureQueues();
        sendBase64(queues, blobCreated("denied.txt"));
        String stored = peek(queues.queue()).getFirst().getBody().toString();

        start(event -> new Outcome.DeadLetter("forbidden", "403 on " + event.describe(), null), calls(),
                azureSource(queues, Duration.ofSeconds(30), 5), null);

        await().atMost(Duration.ofSeconds(20)).until(() -> !peek(queues.poison()).isEmpty());
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.parse(peek(queues.poison()).getFirst().getBody().toString())
                .orElseThrow();
        assertThat(envelope.originalText()).isEqualTo(stored);
        assertThat(envelope.reason()).isEqualTo("forbidden");
        assertThat(envelope.lastError()).contains("403 on azure://devstoreaccount1/photos/denied.txt (created)");
    }

    @Test
    void theAzureMaxDequeueCountSendsAMessageThatKeepsFailingToThePoisonQueue() {
        AzureQueues queues = azureQueues();
        AtomicInteger attempts = new AtomicInteger();
        sendBase64(queues, blobCreated("flaky.txt"));

        start(event -> new Outcome.Retry("throttled", "503 ServerBusy, attempt " + attempts.incrementAndGet(), null),
                calls(), azureSource(queues, Duration.ofSeconds(30), 3), null);

        await().atMost(Duration.ofSeconds(30)).until(() -> !peek(queues.poison()).isEmpty());
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.parse(peek(queues.poison()).getFirst().getBody().toString())
                .orElseThrow();
        assertThat(envelope.reason()).isEqualTo(Worker.RETRIES_EXHAUSTED);
        assertThat(envelope.attempts()).isEqualTo(3);
        assertThat(envelope.firstError()).isEqualTo("throttled: 503 ServerBusy, attempt 1");
        assertThat(envelope.lastError()).isEqualTo("throttled: 503 ServerBusy, attempt 3");
        assertThat(attempts).hasValue(3);
        // The worker deletes the original only after the poison copy is stored, so the delete may still be in flight here.
        await().atMost(Duration.ofSeconds(10)).until(() -> approximateCount(queues.queue()) == 0);
    }

    @Test
    void aPermanentFailureReachesTheSqsDlqWithTheOriginalBodyAndTheFactsAsAttributes() {
        String name = Emulators.freshName("wq");
        String queueUrl = sqsQueue(name, Map.of());
        String dlqUrl = sqsQueue(name + "-dlq", Map.of());
        String body = objectCreated("denied key+1.txt");
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));

        start(event -> new Outcome.DeadLetter("forbidden", "403 AccessDenied on " + event.describe(), null), calls(),
                null, sqsSource(queueUrl, dlqUrl, Duration.ofSeconds(30)));

        List<Message> moved = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> moved.addAll(receiveAll(dlqUrl)) || !moved.isEmpty());
        assertThat(moved).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo(body);
            assertThat(message.messageAttributes().get(SqsDeadLetterAttributes.REASON).stringValue()).isEqualTo("forbidden");
            assertThat(message.messageAttributes().get(SqsDeadLetterAttributes.ATTEMPTS).stringValue()).isEqualTo("1");
            assertThat(message.messageAttributes().get(SqsDeadLetterAttributes.LAST_ERROR).stringValue())
                    .isEqualTo("forbidden: 403 AccessDenied on s3://backup/denied key+1.txt (created)");
        });
        // The original is deleted after the DLQ copy is stored, in the next delete batch (within 100 ms).
        await().atMost(Duration.ofSeconds(10)).until(() -> depth(queueUrl) == 0);
    }

    @Test
    void sqsNativeRedriveMovesAMessageThatKeepsFailingTransiently() {
        String name = Emulators.freshName("wq");
        String dlqUrl = sqsQueue(name + "-dlq", Map.of());
        String queueUrl = sqsQueue(name, Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + emulators.sqsQueueArn(name + "-dlq") + "\",\"maxReceiveCount\":\"2\"}"));
        AtomicInteger attempts = new AtomicInteger();
        String body = objectCreated("flaky.txt");
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));

        start(event -> {
            attempts.incrementAndGet();
            return new Outcome.Retry("throttled", "SlowDown", null);
        }, calls(), null, sqsSource(queueUrl, null, Duration.ofSeconds(30)));

        List<Message> moved = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> moved.addAll(receiveAll(dlqUrl)) || !moved.isEmpty());
        assertThat(moved).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo(body);
            assertThat(message.messageAttributes()).doesNotContainKey(SqsDeadLetterAttributes.REASON); // moved by SQS, not by us
        });
        assertThat(attempts).hasValue(2);
    }

    // ---------------------------------------------------------------- stopping

    @Test
    void stoppingMidCopyReleasesTheMessageAndAnotherWorkerReplicatesItOnce() throws InterruptedException {
        AzureQueues queues = azureQueues();
        CountDownLatch copying = new CountDownLatch(1);
        AtomicInteger aborted = new AtomicInteger();
        AtomicInteger replicated = new AtomicInteger();
        sendBase64(queues, blobCreated("mid-copy.bin"));
        Worker first = start(event -> {
            copying.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5));
                return REPLICATED;
            } catch (InterruptedException e) {
                aborted.incrementAndGet(); // the engine aborts its multipart upload here
                return new Outcome.Retry(Worker.INTERRUPTED, "upload aborted", e);
            }
        }, calls(), azureSource(queues, Duration.ofSeconds(30), 5), null);
        assertThat(copying.await(30, TimeUnit.SECONDS)).isTrue();

        first.stop(Duration.ofMillis(300));

        assertThat(aborted).hasValue(1);
        PeekedMessageItem released = peek(queues.queue()).getFirst(); // visible again at once, not after 30 s
        assertThat(released.getDequeueCount()).isEqualTo(1);
        start(event -> {
            replicated.incrementAndGet();
            return REPLICATED;
        }, calls(), azureSource(queues, Duration.ofSeconds(30), 5), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> approximateCount(queues.queue()) == 0);
        assertThat(replicated).hasValue(1);
    }

    // ---------------------------------------------------------------- circuit breakers

    @Test
    void anOpenBreakerLeavesMessagesInTheQueueUntilItHalfOpens() {
        AzureQueues queues = azureQueues();
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofSeconds(3)));
        AtomicInteger replicated = new AtomicInteger();
        Worker worker = start(event -> {
            replicated.incrementAndGet();
            return REPLICATED;
        }, calls, azureSource(queues, Duration.ofSeconds(30), 5), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.health().readiness().ok());

        calls.breakers().breaker(Endpoint.AZURE_BLOB).transitionToOpenState();
        sendBase64(queues, blobCreated("waits.txt"));

        sleep(Duration.ofSeconds(1));
        assertThat(peek(queues.queue())).singleElement()
                .satisfies(message -> assertThat(message.getDequeueCount()).as("never received").isZero());
        assertThat(worker.health().readiness().reasons()).contains("circuit breaker azure-blob is open: paused sources azure-events");

        await().atMost(Duration.ofSeconds(20)).until(() -> approximateCount(queues.queue()) == 0);
        assertThat(replicated).hasValue(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.health().readiness().ok());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
