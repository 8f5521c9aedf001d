package dev.skyferry.ops.replay;

import dev.skyferry.ops.replay.DeadLetter.Origin.SqsMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS dead-letter queue, read with ReceiveMessage / DeleteMessage so that replay can filter,
 * dry-run and process; for an unfiltered bulk move {@link SqsMoveTask} hands the work to SQS itself.
 *
 * <p>Facts come from the worker's message attributes ({@link DeadLetterFormat#sqsFacts}); a message
 * moved by the queue's redrive policy has none and gets reason {@link DeadLetterFacts#REDRIVE_POLICY},
 * with its SentTimestamp as the age reference (SQS keeps the original enqueue time on a redrive).
 */
public final class SqsDeadLetterQueue implements DeadLetterSource {

    private static final Logger LOG = LoggerFactory.getLogger(SqsDeadLetterQueue.class);

    /** ReceiveMessage's maximum. */
    static final int RECEIVE_BATCH = 10;
    /**
     * Long polling asks every SQS server, so an empty answer means the queue is (nearly) empty; one
     * second keeps the end of a run quick.
     */
    static final int WAIT_SECONDS = 1;
    /** Batches holding only messages seen before (visibility ran out mid-run) before we call it done. */
    static final int STALE_BATCHES_BEFORE_END = 3;

    private final SqsClient sqs;
    private final String queueUrl;
    private final DeadLetterFormat format;
    private final int visibilitySeconds;
    // messageId → latest receipt handle of every message kept in this run, released on close
    private final Map<String, String> kept = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();

    /**
     * @param visibility how long received messages stay hidden from others during the run: longer
     *                   than the run is best, since filtered-out messages are only released at the end
     */
    public SqsDeadLetterQueue(SqsClient sqs, String queueUrl, DeadLetterFormat format, Duration visibility) {
        if (visibility.isNegative() || visibility.toSeconds() < 1 || visibility.toSeconds() > 43_200) {
            throw new IllegalArgumentException("SQS visibility timeout must be within 1s..12h, was " + visibility);
        }
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.format = format;
        this.visibilitySeconds = (int) visibility.toSeconds();
    }

    @Override
    public String describe() {
        return "sqs " + queueUrl;
    }

    @Override
    public OptionalLong approximateCount() {
        try {
            String count = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            return count == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(count));
        } catch (SdkException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public Batch next() {
        for (int staleBatches = 0; staleBatches < STALE_BATCHES_BEFORE_END; ) {
            List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                    .maxNumberOfMessages(RECEIVE_BATCH)
                    .waitTimeSeconds(WAIT_SECONDS)
                    .visibilityTimeout(visibilitySeconds)
                    .messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP)).messages();
            if (received.isEmpty()) {
                return Batch.EMPTY;
            }
            List<DeadLetter> fresh = new ArrayList<>();
            for (Message message : received) {
                if (seen.add(message.messageId())) {
                    fresh.add(toDeadLetter(message));
                } else {
                    // Kept earlier and visible again because the run outlasted the visibility timeout:
                    // hide it again and remember the new handle, the old one no longer releases it.
                    kept.put(message.messageId(), message.receiptHandle());
                }
            }
            if (!fresh.isEmpty()) {
                return new Batch(fresh, List.of());
            }
            staleBatches++;
        }
        return Batch.EMPTY;
    }

    private DeadLetter toDeadLetter(Message message) {
        Map<String, MessageAttributeValue> carried = new HashMap<>();
        message.messageAttributes().forEach((name, value) -> {
            if (!format.isDeadLetterAttribute(name)) {
                carried.put(name, value);
            }
        });
        DeadLetterFacts recorded = format.sqsFacts(message.messageAttributes());
        boolean fromWorker = message.messageAttributes().keySet().stream().anyMatch(format::isDeadLetterAttribute);
        Instant sent = epochMillis(message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP));
        DeadLetterFacts facts = new DeadLetterFacts(
                fromWorker ? recorded.reason() : DeadLetterFacts.REDRIVE_POLICY,
                recorded.detail(),
                recorded.attempts(),
                recorded.firstFailure(),
                recorded.deadLetteredAt() != null ? recorded.deadLetteredAt() : sent);
        return new DeadLetter(message.messageId(), message.body(), facts,
                new SqsMessage(message.messageId(), message.receiptHandle(), carried));
    }

    @Override
    public void remove(DeadLetter letter) {
        SqsMessage origin = (SqsMessage) letter.origin();
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(origin.receiptHandle()));
    }

    @Override
    public void keep(DeadLetter letter) {
        SqsMessage origin = (SqsMessage) letter.origin();
        kept.put(origin.messageId(), origin.receiptHandle());
    }

    /** Makes kept messages visible again; on failure they reappear when their visibility timeout ends. */
    @Override
    public void close() {
        List<String> handles = new ArrayList<>(kept.values());
        kept.clear();
        for (int from = 0; from < handles.size(); from += RECEIVE_BATCH) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = from; i < Math.min(handles.size(), from + RECEIVE_BATCH); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(i)).receiptHandle(handles.get(i)).visibilityTimeout(0).build());
            }
            try {
                sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                LOG.warn("Could not release {} kept messages on {}; they reappear after the {}s visibility timeout: {}",
                        entries.size(), queueUrl, visibilitySeconds, e.getMessage());
            }
        }
    }

    private static Instant epochMillis(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
