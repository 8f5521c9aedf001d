package dev.skyferry.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import dev.skyferry.store.StoreException;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

@ExtendWith(EmulatorExtension.class)
class AzureQueueSourceTest {

    /** Quotes, backslashes, non-ASCII, an emoji, control-free newlines: what JSON escaping must round-trip. */
    static final String TRICKY_TEXT = "{\"subject\":\"/blobServices/default/containers/c/blobs/dir\\\\a \\\"b\\\".txt\","
            + "\"ünïcödé\":\"日本語 😀\",\n\t\"slash\":\"a/b\", \"lt\":\"<&>\"}";

    private Emulators emulators;
    private QueueServiceClient rawQueues;
    private QueueClient queue;
    private QueueClient poison;

    @BeforeEach
    void createQueues(Emulators emulators) {
        this.emulators = emulators;
        rawQueues = emulators.queueService(QueueMessageEncoding.NONE);
        String name = Emulators.freshName("azsrc");
        queue = rawQueues.createQueue(name);
        poison = rawQueues.getQueueClient(name + "-poison"); // not created: dead-lettering creates it
    }

    private AzureQueueSource source(Duration visibility, int maxDequeueCount) {
        return new AzureQueueSource(new AzureQueueSettings("azure-events", visibility, maxDequeueCount,
                Duration.ofMillis(10), Duration.ofMillis(50)), queue, poison, Clock.systemUTC());
    }

    @Test
    void receivesTheTextExactlyAsStoredWhetherBase64OrRawJson() {
        String base64 = Base64.getEncoder().encodeToString(TRICKY_TEXT.getBytes(StandardCharsets.UTF_8));
        queue.sendMessage(TRICKY_TEXT);
        queue.sendMessage(base64);

        List<ReceivedMessage> received = source(Duration.ofSeconds(30), 5).receive(32);

        assertThat(received).extracting(ReceivedMessage::text).containsExactlyInAnyOrder(TRICKY_TEXT, base64);
        assertThat(received).allSatisfy(message -> {
            assertThat(message.receiveCount()).isEqualTo(1);
            assertThat(message.enqueuedAt()).isNotNull();
        });
    }

    @Test
    void receivesNoMoreThanAskedFor() {
        for (int i = 0; i < 5; i++) {
            queue.sendMessage("m" + i);
        }

        assertThat(source(Duration.ofSeconds(30), 5).receive(2)).hasSize(2);
    }

    @Test
    void heartbeatRenewsThePopReceiptAndLeavesTheTextAlone() {
        queue.sendMessage(TRICKY_TEXT);
        AzureQueueSource source = source(Duration.ofSeconds(30), 5);
        ReceivedMessage message = source.receive(1).getFirst();
        String firstReceipt = message.receipt();

        source.extendVisibility(message, Duration.ofSeconds(30));
        source.extendVisibility(message, Duration.ofSeconds(30));

        assertThat(message.receipt()).isNotEqualTo(firstReceipt);
        source.release(message, Duration.ZERO);
        ReceivedMessage again = source.receive(1).getFirst();
        assertThat(again.text()).isEqualTo(TRICKY_TEXT);
        assertThat(again.receiveCount()).isEqualTo(2);
        source.delete(again);
        assertThat(queue.peekMessage()).isNull();
    }

    @Test
    void aStalePopReceiptIsReportedAsMessageGone() {
        queue.sendMessage("x");
        AzureQueueSource source = source(Duration.ofSeconds(30), 5);
        ReceivedMessage message = source.receive(1).getFirst();
        ReceivedMessage stale = ReceivedMessage.of(message.messageId(), message.receipt(), message.text(), 1, null, Instant.now());
        source.extendVisibility(message, Duration.ofSeconds(30)); // invalidates the first receipt

        assertThatThrownBy(() -> source.delete(stale))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
    }

    @Test
    void anExtendedMessageIsNotDeliveredToASecondConsumer() throws InterruptedException {
        queue.sendMessage("long copy");
        AzureQueueSource first = source(Duration.ofSeconds(1), 5);
        AzureQueueSource second = source(Duration.ofSeconds(1), 5);
        ReceivedMessage message = first.receive(1).getFirst();

        first.extendVisibility(message, Duration.ofSeconds(30));
        Thread.sleep(1_500); // past the original visibility timeout

        assertThat(second.receive(32)).isEmpty();
    }

    @Test
    void releaseMakesTheMessageVisibleAfterTheDelayOnly() {
        queue.sendMessage("retry me");
        AzureQueueSource source = source(Duration.ofSeconds(30), 5);
        ReceivedMessage message = source.receive(1).getFirst();

        source.release(message, Duration.ofSeconds(60));

        assertThat(source.receive(32)).isEmpty();
        PeekedMessageItem peeked = queue.peekMessage();
        assertThat(peeked).isNull(); // invisible messages are not even peekable
    }

    @Test
    void deadLetterMovesTheOriginalTextUnchangedWithTheFactsThenDeletesIt() {
        queue.sendMessage(TRICKY_TEXT);
        AzureQueueSource source = source(Duration.ofSeconds(30), 5);
        ReceivedMessage message = source.receive(1).getFirst();
        Instant first = Instant.parse("2025-01-01T00:00:00Z");
        Instant last = Instant.parse("2025-01-01T00:05:00Z");

        source.deadLetter(message, new DeadLetterFacts("forbidden", 3, "throttled: 503 SlowDown", first,
                "forbidden: 403 AccessDenied on s3://b/k", last));

        assertThat(queue.peekMessage()).isNull();
        List<PeekedMessageItem> moved = poison.peekMessages(32, null, null).stream().toList();
        assertThat(moved).hasSize(1);
        // Azure's default would drop it after 7 days: a dead letter waits for replay as long as it takes.
        assertThat(moved.getFirst().getExpirationTime()).isAfter(moved.getFirst().getInsertionTime().plusYears(1));
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.parse(moved.getFirst().getBody().toString()).orElseThrow();
        assertThat(envelope.originalText()).isEqualTo(TRICKY_TEXT);
        assertThat(envelope.reason()).isEqualTo("forbidden");
        assertThat(envelope.attempts()).isEqualTo(3);
        assertThat(envelope.firstError()).isEqualTo("throttled: 503 SlowDown");
        assertThat(envelope.firstErrorAt()).isEqualTo(first);
        assertThat(envelope.lastError()).isEqualTo("forbidden: 403 AccessDenied on s3://b/k");
        assertThat(envelope.deadLetteredAt()).isEqualTo(last);
        assertThat(envelope.source()).isEqualTo("azure-events");
        assertThat(envelope.queue()).isEqualTo(queue.getQueueName());
        assertThat(envelope.messageId()).isEqualTo(message.messageId());
        assertThat(envelope.insertedAt()).isEqualTo(message.enqueuedAt());
    }

    /**
     * MessageSource.deadLetter: "copy first, delete second, so a failure in between leaves a duplicate,
     * never a loss". The worker dies after the poison queue took the letter and before its delete
     * reached Azure; the next worker gets the original back once its visibility timeout is over and
     * dead-letters it again.
     */
    @Test
    void aCrashBetweenThePoisonSendAndTheDeleteLeavesTheLetterTwiceInThePoisonQueueAndTheOriginalGone() {
        queue.sendMessage(TRICKY_TEXT);
        AzureQueueSettings settings = new AzureQueueSettings("azure-events", Duration.ofSeconds(1), 5,
                Duration.ofMillis(10), Duration.ofMillis(50));
        AzureQueueSource dying = new AzureQueueSource(settings, deletesNeverSent(queue.getQueueName()), poison, Clock.systemUTC());
        ReceivedMessage message = dying.receive(1).getFirst();

        assertThatThrownBy(() -> dying.deadLetter(message, new DeadLetterFacts("forbidden", 1, null, null,
                "forbidden: 403 AccessDenied", Instant.now())))
                .isInstanceOf(QueueException.class);
        assertThat(poison.peekMessages(32, null, null).stream()).hasSize(1);

        AzureQueueSource restarted = new AzureQueueSource(settings, queue, poison, Clock.systemUTC());
        ReceivedMessage again = await().atMost(Duration.ofSeconds(10)).until(() -> restarted.receive(1), m -> !m.isEmpty())
                .getFirst();
        assertThat(again.messageId()).isEqualTo(message.messageId());
        assertThat(again.receiveCount()).isEqualTo(2);
        restarted.deadLetter(again, new DeadLetterFacts("forbidden", 2, null, null, "forbidden: 403 AccessDenied", Instant.now()));

        assertThat(queue.peekMessage()).isNull();
        List<AzureDeadLetterEnvelope> letters = poison.peekMessages(32, null, null).stream()
                .map(m -> AzureDeadLetterEnvelope.parse(m.getBody().toString()).orElseThrow())
                .toList();
        // The same original twice, told apart by its attempts: a replay sends it back twice, and the
        // second copy is skipped as already replicated.
        assertThat(letters).extracting(AzureDeadLetterEnvelope::messageId).containsOnly(message.messageId());
        assertThat(letters).extracting(AzureDeadLetterEnvelope::originalText).containsOnly(TRICKY_TEXT);
        assertThat(letters).extracting(AzureDeadLetterEnvelope::attempts).containsExactlyInAnyOrder(1, 2);
    }

    /** A client on {@code queueName} whose message deletes never leave the process, as if it died before sending them. */
    private QueueClient deletesNeverSent(String queueName) {
        HttpPipelinePolicy processDiesBeforeTheDelete = new HttpPipelinePolicy() {
            @Override
            public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
                return context.getHttpRequest().getHttpMethod() == HttpMethod.DELETE
                        ? Mono.error(new IllegalStateException("worker process killed before its delete was sent"))
                        : next.process();
            }

            @Override
            public HttpPipelinePosition getPipelinePosition() {
                return HttpPipelinePosition.PER_CALL; // before the SDK's retry policy: not retried
            }
        };
        return new QueueClientBuilder().connectionString(emulators.azureConnectionString()).queueName(queueName)
                .messageEncoding(QueueMessageEncoding.NONE).addPolicy(processDiesBeforeTheDelete).buildClient();
    }

    @Test
    void anEnvelopeTooBigForAQueueMessageGivesWayToTheOriginalAlone() {
        // 50 000 quotes become 100 000 characters once JSON-escaped: no envelope can hold them.
        String manyQuotes = "\"".repeat(50_000);
        queue.sendMessage(manyQuotes);
        AzureQueueSource source = source(Duration.ofSeconds(30), 5);
        ReceivedMessage message = source.receive(1).getFirst();

        source.deadLetter(message, new DeadLetterFacts("unparseable", 1, null, null, "not JSON", Instant.now()));

        String moved = poison.peekMessage().getBody().toString();
        assertThat(moved).isEqualTo(manyQuotes);
        assertThat(AzureDeadLetterEnvelope.parse(moved)).isEmpty();
        assertThat(queue.peekMessage()).isNull();
    }

    @Test
    void reportsTheApproximateDepth() {
        queue.sendMessage("a");
        queue.sendMessage("b");

        assertThat(source(Duration.ofSeconds(30), 5).approximateDepth()).hasValue(2);
    }

    @Test
    void refusesAClientThatDecodesBase64() {
        QueueClient decoding = Emulators.shared().queueService(QueueMessageEncoding.BASE64).getQueueClient(queue.getQueueName());

        assertThatThrownBy(() -> new AzureQueueSource(new AzureQueueSettings("s", Duration.ofSeconds(30), 5), decoding, poison,
                Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must use QueueMessageEncoding.NONE")
                .hasMessageContaining("was BASE64");
    }

    @Test
    void anEmptyQueueIsPolledLessOftenTheLongerItStaysEmptyAndAMessageBringsThePaceBack() {
        AzureQueueSource source = new AzureQueueSource(new AzureQueueSettings("azure-events", Duration.ofSeconds(30), 5,
                Duration.ofMillis(100), Duration.ofMillis(1600)), queue, poison, Clock.systemUTC());

        // Azure queues have no long polling: each empty answer is followed by a pause, doubled up to the maximum.
        long started = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(source.receive(32)).isEmpty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(100 + 200 + 400));

        queue.sendMessage("{}");
        assertThat(source.receive(32)).hasSize(1);
        long afterMessage = System.nanoTime();
        assertThat(source.receive(32)).isEmpty();
        assertThat(source.receive(32)).isEmpty();
        // Back at the minimum: 100 + 200 ms, where the pace before the message would have been 800 + 1600.
        assertThat(Duration.ofNanos(System.nanoTime() - afterMessage)).isGreaterThanOrEqualTo(Duration.ofMillis(300))
                .isLessThan(Duration.ofMillis(2000));
    }

    @Test
    void aMissingQueueIsReportedAsNotFound() {
        AzureQueueSource missing = new AzureQueueSource(new AzureQueueSettings("s", Duration.ofSeconds(30), 5),
                rawQueues.getQueueClient(Emulators.freshName("missing")), poison, Clock.systemUTC());

        assertThatThrownBy(() -> missing.receive(1))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
    }
}
