package dev.skyferry.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyferry.store.StoreException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS queue carrying S3 event notifications (direct, via SNS or via EventBridge).
 *
 * <ul>
 *   <li>Receive: long polling ({@code waitTime}, 20 s by default), up to 10 messages, with
 *       ApproximateReceiveCount, SentTimestamp and all message attributes.</li>
 *   <li>Delete: through the shared {@link SqsDeleteBatcher}, up to ten per DeleteMessageBatch.</li>
 *   <li>Heartbeat and release: ChangeMessageVisibility. SQS keeps a message invisible for at most
 *       12 hours from its receipt, so both are cut to what remains of that (less a safety margin); a
 *       copy that runs longer may be delivered again, and the second copy finds the replica in place.</li>
 *   <li>Dead-letter (permanent failures): SendMessage to the DLQ with the original body and
 *       attributes unchanged plus {@link SqsDeadLetterAttributes}, then DeleteMessage. The DLQ is the
 *       configured one, else the queue's redrive policy target. Transient failures are never
 *       dead-lettered here: released messages are moved by the queue's own redrive policy after its
 *       maxReceiveCount, when one is configured.</li>
 * </ul>
 * FIFO queues are not supported (S3 cannot notify them).
 */
public final class SqsSource implements MessageSource {

    private static final Logger log = LoggerFactory.getLogger(SqsSource.class);
    static final int MAX_BATCH = 10;
    /** Our receipt time is a little later than SQS's; stay this far inside the 12 h cap. */
    static final Duration VISIBILITY_CAP_MARGIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsSourceSettings settings;
    private final SqsClient sqs;
    private final SqsDeleteBatcher deletes;
    private final Clock clock;
    private volatile String resolvedDeadLetterQueueUrl;

    public SqsSource(SqsSourceSettings settings, SqsClient sqs, SqsDeleteBatcher deletes, Clock clock) {
        this.settings = settings;
        this.sqs = sqs;
        this.deletes = deletes;
        this.clock = clock;
        this.resolvedDeadLetterQueueUrl = settings.deadLetterQueueUrl();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public SourceType type() {
        return SourceType.SQS;
    }

    @Override
    public Duration visibilityTimeout() {
        return settings.visibilityTimeout();
    }

    @Override
    public int maxBatchSize() {
        return MAX_BATCH;
    }

    /** The queue's redrive policy moves messages that keep failing; the worker never gives up on them. */
    @Override
    public int maxDeliveries() {
        return Integer.MAX_VALUE;
    }

    public String queueUrl() {
        return settings.queueUrl();
    }

    @Override
    public List<ReceivedMessage> receive(int maxMessages) {
        int count = Math.clamp(maxMessages, 1, MAX_BATCH);
        List<Message> received = translating("receive", () -> sqs.receiveMessage(r -> r
                .queueUrl(settings.queueUrl())
                .maxNumberOfMessages(count)
                .waitTimeSeconds((int) settings.waitTime().toSeconds())
                .visibilityTimeout(seconds(settings.visibilityTimeout()))
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                        MessageSystemAttributeName.SENT_TIMESTAMP)
                .messageAttributeNames("All")).messages());
        Instant now = clock.instant();
        List<ReceivedMessage> messages = new ArrayList<>(received.size());
        for (Message message : received) {
            Map<String, String> attributesForLogs = new LinkedHashMap<>();
            message.messageAttributes().forEach((name, value) ->
                    attributesForLogs.put(name, value.stringValue() != null ? value.stringValue() : "<" + value.dataType() + ">"));
            messages.add(new ReceivedMessage(message.messageId(), message.receiptHandle(), message.body(),
                    parseInt(message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT), 1),
                    epochMillis(message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP)), now,
                    attributesForLogs, Map.copyOf(message.messageAttributes())));
        }
        return messages;
    }

    @Override
    public void extendVisibility(ReceivedMessage message, Duration timeout) {
        Duration allowed = withinCap(message, timeout);
        if (allowed.isZero()) {
            throw new QueueException(Kind.BAD_REQUEST, 0, "VisibilityCapReached",
                    "SQS " + settings.queueUrl() + ": " + message + " has been held for nearly 12 hours;"
                            + " its visibility cannot be extended and it may be delivered again", null, null);
        }
        changeVisibility(message, allowed, "extend visibility of");
    }

    @Override
    public void release(ReceivedMessage message, Duration delay) {
        Duration allowed = withinCap(message, delay);
        if (allowed.isZero() && !delay.isZero()) {
            return; // held for nearly 12 hours: it becomes visible within the margin anyway
        }
        changeVisibility(message, allowed, "release");
    }

    private void changeVisibility(ReceivedMessage message, Duration visibility, String what) {
        translating(what + " " + message, () -> sqs.changeMessageVisibility(r -> r
                .queueUrl(settings.queueUrl())
                .receiptHandle(message.receipt())
                .visibilityTimeout(seconds(visibility))));
    }

    private Duration withinCap(ReceivedMessage message, Duration wanted) {
        Duration held = Duration.between(message.receivedAt(), clock.instant());
        Duration left = SqsSourceSettings.VISIBILITY_CAP.minus(held).minus(VISIBILITY_CAP_MARGIN);
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return wanted.compareTo(left) > 0 ? left : wanted;
    }

    @Override
    public void delete(ReceivedMessage message) {
        translating("delete " + message, () -> await(deletes.delete(settings.queueUrl(), message.receipt())));
    }

    /**
     * A batched call's answer. A failure is rethrown as the SDK's own exception, for {@link #translating} to
     * classify by its error code as it does a lone call's (a per-entry failure carries no HTTP status).
     */
    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.create("interrupted waiting for SQS's answer", e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void deadLetter(ReceivedMessage message, DeadLetterFacts facts) {
        String dlq = deadLetterQueueUrl().orElseThrow(() -> new QueueException(Kind.UNSUPPORTED, 0, "NoDeadLetterQueue",
                nowhereToDeadLetter(), null, null));
        Map<String, MessageAttributeValue> original = message.sourceData() instanceof Map<?, ?> attributes
                ? (Map<String, MessageAttributeValue>) attributes : Map.of();
        Map<String, MessageAttributeValue> withFacts = SqsDeadLetterAttributes.withFacts(original, facts, name(), message.messageId());
        try {
            send(dlq, message, withFacts);
        } catch (QueueException e) {
            if (e.kind() != Kind.BAD_REQUEST) {
                throw e;
            }
            // Most likely the facts pushed the message over the DLQ's size limit: move it as it was.
            log.warn("DLQ {} refused {} with Skyferry's attributes ({}); moving it with its original attributes only (reason {}: {})",
                    dlq, message, e.getMessage(), facts.reason(), facts.lastError());
            send(dlq, message, original);
        }
        delete(message);
    }

    private void send(String dlq, ReceivedMessage message, Map<String, MessageAttributeValue> attributes) {
        translating("send " + message + " to DLQ " + dlq, () -> sqs.sendMessage(r -> r
                .queueUrl(dlq)
                .messageBody(message.text())
                .messageAttributes(attributes)));
    }

    /**
     * Where permanent failures go: the configured DLQ, else the target of the queue's redrive policy
     * (looked up until found, then kept), else empty: then {@link #deadLetter} fails as UNSUPPORTED and the worker
     * keeps releasing such messages until the queue's retention period deletes them. Throws
     * {@link QueueException} when the redrive policy cannot be read.
     */
    public Optional<String> deadLetterQueueUrl() {
        String url = resolvedDeadLetterQueueUrl;
        if (url != null) {
            return Optional.of(url);
        }
        String redrivePolicy = translating("read redrive policy", () -> sqs.getQueueAttributes(r -> r
                .queueUrl(settings.queueUrl())
                .attributeNames(QueueAttributeName.REDRIVE_POLICY)).attributes().get(QueueAttributeName.REDRIVE_POLICY));
        String targetArn = redriveTarget(redrivePolicy);
        if (targetArn == null) {
            return Optional.empty();
        }
        // arn:<partition>:sqs:<region>:<account>:<name>
        String[] arn = targetArn.split(":", 6);
        if (arn.length != 6) {
            throw new QueueException(Kind.BAD_REQUEST, 0, "BadRedrivePolicy",
                    "SQS source " + name() + ": redrive policy target is not an SQS ARN: " + targetArn, null, null);
        }
        url = translating("look up DLQ " + targetArn, () -> sqs.getQueueUrl(r -> r
                .queueName(arn[5]).queueOwnerAWSAccountId(arn[4])).queueUrl());
        log.info("SQS source {}: dead-lettering to the redrive policy's target {}", name(), url);
        resolvedDeadLetterQueueUrl = url;
        return Optional.of(url);
    }

    /** What is wrong with a source whose {@link #deadLetterQueueUrl} is empty, for its errors, logs and checks. */
    public String nowhereToDeadLetter() {
        return "SQS source " + name() + " has no deadLetterQueueUrl and its queue no redrive policy: nowhere to dead-letter";
    }

    /**
     * Warns when the source has nowhere to dead-letter. Called at start: otherwise the first sign is a
     * permanent failure logged as a failed dead-letter again every {@code retriedEvery}.
     */
    public void warnIfNowhereToDeadLetter(Duration retriedEvery) {
        try {
            if (deadLetterQueueUrl().isEmpty()) {
                log.warn("{}; its permanent failures are released and retried every {} until the queue's retention period"
                        + " deletes them. Set deadLetterQueueUrl or give the queue a redrive policy", nowhereToDeadLetter(), retriedEvery);
            }
        } catch (QueueException e) {
            log.warn("SQS source {}: cannot tell where it dead-letters ({}); looked up again at its first permanent failure",
                    name(), e.getMessage());
        }
    }

    private static String redriveTarget(String redrivePolicy) {
        if (redrivePolicy == null || redrivePolicy.isBlank()) {
            return null;
        }
        try {
            JsonNode policy = JSON.readTree(redrivePolicy);
            return policy.path("deadLetterTargetArn").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public OptionalLong approximateDepth() {
        String depth = translating("read queue depth", () -> sqs.getQueueAttributes(r -> r
                .queueUrl(settings.queueUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        return depth == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(depth));
    }

    private <T> T translating(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            throw new QueueException(QueueErrors.kindFor(e.statusCode(), code), e.statusCode(), code,
                    "SQS " + settings.queueUrl() + ": cannot " + what + ": " + e.statusCode() + " " + code, null, e);
        } catch (RuntimeException e) {
            // No answer from SQS: connection refused or reset, timeout, interrupted long poll.
            throw new QueueException(Kind.UNAVAILABLE, 0, null,
                    "SQS " + settings.queueUrl() + ": cannot " + what + ": " + e, null, e);
        }
    }

    private static int seconds(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, duration.toSeconds()));
    }

    private static int parseInt(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Instant epochMillis(String value) {
        try {
            return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
