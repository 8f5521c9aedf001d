package dev.skyferry.ops.replay;

import dev.skyferry.event.ParsedMessage;
import dev.skyferry.ops.replay.DeadLetter.Origin.SqsMessage;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Sends the original body, and the producer's own message attributes, back to an SQS source queue. */
public final class SqsQueueDestination implements ReplayDestination {

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsQueueDestination(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public String describe() {
        return "sqs " + queueUrl;
    }

    @Override
    public boolean accepts(DeadLetter.QueueFamily family) {
        return family == DeadLetter.QueueFamily.SQS;
    }

    @Override
    public Delivery deliver(DeadLetter letter, ParsedMessage parsed) {
        SqsMessage origin = (SqsMessage) letter.origin();
        try {
            String newId = sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(letter.body())
                    .messageAttributes(origin.carriedAttributes())).messageId();
            return new Delivery.Accepted("sent as " + newId);
        } catch (SdkException e) {
            return new Delivery.Rejected("send to " + queueUrl + " failed: " + e.getMessage());
        }
    }
}
