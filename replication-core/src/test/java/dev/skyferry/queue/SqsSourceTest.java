package dev.skyferry.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.skyferry.store.StoreException;
import dev.skyferry.testkit.AwsClients;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(EmulatorExtension.class)
class SqsSourceTest {

    private static final String S3_EVENT = "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
            + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a+b%2Bc.txt\",\"size\":3}}}]} ünï 😀";

    private SqsClient sqs;
    private String queueUrl;
    private String dlqUrl;
    private Emulators emulators;

    @BeforeEach
    void createQueues(Emulators emulators) {
        this.emulators = emulators;
        sqs = emulators.sqsClient();
        String name = Emulators.freshName("sqssrc");
        queueUrl = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        dlqUrl = sqs.createQueue(r -> r.queueName(name + "-dlq")).queueUrl();
    }

    private SqsSource source(String deadLetterQueueUrl, Duration visibility, Clock clock) {
        return new SqsSource(new SqsSourceSettings("s3-events", queueUrl, deadLetterQueueUrl, visibility, Duration.ofSeconds(1)),
                sqs, emulators.sqsDeletes(), clock);
    }

    private SqsSource source() {
        return source(dlqUrl, Duration.ofSeconds(30), Clock.systemUTC());
    }

    private void send(String body, Map<String, MessageAttributeValue> attributes) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).messageAttributes(attributes));
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private List<Message> drain(String url) {
        return sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
    }

    @Test
    void anEmptyQueueIsLongPolledAndAMessageSentMeanwhileEndsTheWait() throws Exception {
        SqsSource source = source(); // long-polls 1 s per receive here (20 s by default)

        long started = System.nanoTime();
        assertThat(source.receive(10)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> source.receive(10));
        Thread.sleep(300);
        send("{}", Map.of());
        assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    void receivesTheBodyWithReceiveCountSentTimeAndAttributes() {
        send(S3_EVENT, Map.of("origin", string("sns")));

        ReceivedMessage message = source().receive(10).getFirst();

        assertThat(message.text()).isEqualTo(S3_EVENT);
        assertThat(message.receiveCount()).isEqualTo(1);
        assertThat(message.enqueuedAt()).isNotNull().isBefore(Instant.now().plusSeconds(1));
        assertThat(message.attributes()).containsEntry("origin", "sns");
    }

    @Test
    void anExtendedMessageIsNotDeliveredToASecondConsumer() throws InterruptedException {
        send("long copy", Map.of());
        SqsSource first = source(dlqUrl, Duration.ofSeconds(1), Clock.systemUTC());
        ReceivedMessage message = first.receive(1).getFirst();

        first.extendVisibility(message, Duration.ofSeconds(30));
        Thread.sleep(1_500); // past the original visibility timeout

        assertThat(source(dlqUrl, Duration.ofSeconds(1), Clock.systemUTC()).receive(10)).isEmpty();
    }

    @Test
    void releasedAtOnceTheMessageComesBackWithTheNextReceiveCount() {
        send("retry me", Map.of());
        SqsSource source = source();
        ReceivedMessage message = source.receive(1).getFirst();

        source.release(message, Duration.ZERO);

        ReceivedMessage again = source.receive(1).getFirst();
        assertThat(again.messageId()).isEqualTo(message.messageId());
        assertThat(again.receiveCount()).isEqualTo(2);
    }

    /** Transient failures are released with a growing visibility delay: the message stays hidden until it is over. */
    @Test
    void releasedWithADelayTheMessageStaysHiddenUntilTheDelayIsOver() throws Exception {
        send("retry me later", Map.of());
        SqsSource source = source();
        ReceivedMessage message = source.receive(1).getFirst();

        source.release(message, Duration.ofSeconds(4));

        assertThat(source.receive(10)).as("hidden while the delay runs").isEmpty();
        Thread.sleep(4_000);
        assertThat(source.receive(10)).as("back once it is over").hasSize(1);
    }

    @Test
    void deadLetterSendsTheOriginalBodyAndAttributesWithTheFactsThenDeletes() {
        send(S3_EVENT, Map.of("origin", string("sns")));
        SqsSource source = source();
        ReceivedMessage message = source.receive(1).getFirst();
        Instant first = Instant.parse("2025-01-01T00:00:00Z");
        Instant last = Instant.parse("2025-01-01T00:05:00Z");

        source.deadLetter(message, new DeadLetterFacts("forbidden", 2, "throttled: SlowDown", first,
                "forbidden: 403 AccessDenied", last));

        assertThat(drain(queueUrl)).isEmpty();
        Message moved = drain(dlqUrl).getFirst();
        assertThat(moved.body()).isEqualTo(S3_EVENT);
        Map<String, MessageAttributeValue> attributes = moved.messageAttributes();
        assertThat(attributes.get(SqsDeadLetterAttributes.REASON).stringValue()).isEqualTo("forbidden");
        assertThat(attributes.get(SqsDeadLetterAttributes.ATTEMPTS).stringValue()).isEqualTo("2");
        assertThat(attributes.get(SqsDeadLetterAttributes.ATTEMPTS).dataType()).isEqualTo("Number");
        assertThat(attributes.get(SqsDeadLetterAttributes.FIRST_ERROR).stringValue()).isEqualTo("throttled: SlowDown");
        assertThat(attributes.get(SqsDeadLetterAttributes.FIRST_ERROR_AT).stringValue()).isEqualTo(first.toString());
        assertThat(attributes.get(SqsDeadLetterAttributes.LAST_ERROR).stringValue()).isEqualTo("forbidden: 403 AccessDenied");
        assertThat(attributes.get(SqsDeadLetterAttributes.DEAD_LETTERED_AT).stringValue()).isEqualTo(last.toString());
        assertThat(attributes.get(SqsDeadLetterAttributes.SOURCE).stringValue()).isEqualTo("s3-events");
        assertThat(attributes.get(SqsDeadLetterAttributes.ORIGINAL_MESSAGE_ID).stringValue()).isEqualTo(message.messageId());
        assertThat(SqsDeadLetterAttributes.originalAttributes(attributes)).containsOnlyKeys("origin");
        assertThat(SqsDeadLetterAttributes.originalAttributes(attributes).get("origin").stringValue()).isEqualTo("sns");
    }

    @Test
    void withoutAConfiguredDlqDeadLettersToTheRedrivePolicyTarget() {
        String dlqArn = emulators.sqsQueueArn(dlqUrl.substring(dlqUrl.lastIndexOf('/') + 1));
        sqs.setQueueAttributes(r -> r.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}")));
        send("poison", Map.of());
        SqsSource source = source(null, Duration.ofSeconds(30), Clock.systemUTC());
        ReceivedMessage message = source.receive(1).getFirst();

        source.deadLetter(message, new DeadLetterFacts("unparseable", 1, null, null, "not JSON", Instant.now()));

        assertThat(drain(dlqUrl)).extracting(Message::body).containsExactly("poison");
    }

    @Test
    void withNowhereToDeadLetterItFailsAsUnsupportedAndKeepsTheMessage() {
        send("poison", Map.of());
        SqsSource source = source(null, Duration.ofSeconds(30), Clock.systemUTC());
        ReceivedMessage message = source.receive(1).getFirst();

        assertThatThrownBy(() -> source.deadLetter(message, new DeadLetterFacts("unparseable", 1, null, null, "x", Instant.now())))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).isEqualTo(StoreException.Kind.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("nowhere to dead-letter");
                });
        source.release(message, Duration.ZERO);
        assertThat(drain(queueUrl)).extracting(Message::body).containsExactly("poison");
    }

    @Test
    void warnsAtStartOnlyWhenItHasNowhereToDeadLetter() {
        String dlqArn = emulators.sqsQueueArn(dlqUrl.substring(dlqUrl.lastIndexOf('/') + 1));
        String redriven = sqs.createQueue(r -> r.queueName(Emulators.freshName("redriven")).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}")))
                .queueUrl();
        SqsSource withRedrivePolicy = new SqsSource(new SqsSourceSettings("redriven-events", redriven, null,
                Duration.ofSeconds(30)), sqs, emulators.sqsDeletes(), Clock.systemUTC());

        try (LogCapture logs = new LogCapture(Map.of(SqsSource.class.getName(), Level.WARN))) {
            source().warnIfNowhereToDeadLetter(Duration.ofMinutes(15));
            withRedrivePolicy.warnIfNowhereToDeadLetter(Duration.ofMinutes(15));
            assertThat(logs.lines()).isEmpty();

            source(null, Duration.ofSeconds(30), Clock.systemUTC()).warnIfNowhereToDeadLetter(Duration.ofMinutes(15));

            assertThat(logs.lines()).singleElement().asString()
                    .contains("SQS source s3-events has no deadLetterQueueUrl and its queue no redrive policy: nowhere to dead-letter")
                    .contains("retried every PT15M until the queue's retention period deletes them");
        }
        assertThat(withRedrivePolicy.deadLetterQueueUrl()).contains(dlqUrl);
    }

    @Test
    void neverAsksSqsToHideAMessageBeyondTwelveHoursFromItsReceipt() {
        send("very long copy", Map.of());
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        SqsSource source = source(dlqUrl, Duration.ofSeconds(30), clock);
        ReceivedMessage message = source.receive(1).getFirst();

        now.set(now.get().plus(Duration.ofHours(12)));

        assertThatThrownBy(() -> source.extendVisibility(message, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.errorCode()).isEqualTo("VisibilityCapReached"));
        now.set(now.get().minus(Duration.ofSeconds(60)));
        source.extendVisibility(message, Duration.ofSeconds(30)); // 30 s left of the cap: allowed, cut to fit
    }

    @Test
    void reportsTheApproximateDepth() {
        send("a", Map.of());
        send("b", Map.of());

        assertThat(source().approximateDepth()).hasValue(2);
    }

    @Test
    void settledMessagesAreDeletedUpToTenPerDeleteMessageBatch() throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            send("event " + i, Map.of());
        }
        List<ReceivedMessage> received = new ArrayList<>();
        SqsSource receiver = source();
        while (received.size() < 10) {
            received.addAll(receiver.receive(10));
        }
        List<SdkRequest> sent = new CopyOnWriteArrayList<>();
        try (SqsAsyncClient recorded = recordingAsyncClient(sent); SqsDeleteBatcher deletes = new SqsDeleteBatcher(recorded)) {
            SqsSource source = new SqsSource(new SqsSourceSettings("s3-events", queueUrl, dlqUrl, Duration.ofSeconds(30),
                    Duration.ofSeconds(1)), sqs, deletes, Clock.systemUTC());
            // As the worker settles them: each message on its own thread, at about the same time.
            List<Thread> settling = received.stream().map(m -> Thread.ofVirtual().start(() -> source.delete(m))).toList();
            for (Thread thread : settling) {
                thread.join();
            }
        }

        assertThat(sent).allSatisfy(request -> assertThat(request).isInstanceOf(DeleteMessageBatchRequest.class));
        assertThat(sent).hasSizeLessThanOrEqualTo(2); // one, unless the 100 ms flush fell between the threads
        assertThat(sent).flatExtracting(request -> ((DeleteMessageBatchRequest) request).entries())
                .extracting(DeleteMessageBatchRequestEntry::receiptHandle)
                .containsExactlyInAnyOrderElementsOf(received.stream().map(ReceivedMessage::receipt).toList());
        assertThat(messagesInQueueOrInFlight()).isZero();
    }

    @Test
    void aStaleReceiptFailsOnlyItsOwnDeleteInTheBatch() throws InterruptedException {
        send("kept", Map.of());
        SqsSource source = source();
        ReceivedMessage real = source.receive(1).getFirst();
        ReceivedMessage stale = new ReceivedMessage("gone", "not-a-receipt-handle", "", 1, null, Instant.now(), Map.of(), Map.of());
        AtomicReference<Throwable> staleFailure = new AtomicReference<>();

        Thread staleDelete = Thread.ofVirtual().start(() -> {
            try {
                source.delete(stale);
            } catch (RuntimeException e) {
                staleFailure.set(e);
            }
        });
        source.delete(real);
        staleDelete.join();

        assertThat(staleFailure.get()).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        assertThat(messagesInQueueOrInFlight()).isZero();
    }

    private int messagesInQueueOrInFlight() {
        Map<QueueAttributeName, String> depth = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(depth.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(depth.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** An async client on ElasticMQ that records every request it sends. */
    private SqsAsyncClient recordingAsyncClient(List<SdkRequest> sent) {
        return AwsClients.on(SqsAsyncClient.builder(), emulators.sqsEndpoint(), emulators.awsRegion(),
                        emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        sent.add(context.request());
                    }
                }))
                .build();
    }
}
