package dev.skyferry.ops.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Finds a source queue's dead-letter queue from its redrive policy, as the worker does when none is configured. */
public final class SqsDeadLetterQueues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SqsDeadLetterQueues() {}

    /**
     * The URL of the queue {@code RedrivePolicy.deadLetterTargetArn} names.
     *
     * @throws IllegalArgumentException when the queue has no redrive policy
     */
    public static String fromRedrivePolicy(SqsClient sqs, String queueUrl) {
        String policy = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
        if (policy == null || policy.isBlank()) {
            throw new IllegalArgumentException("SQS queue " + queueUrl + " has no redrive policy and the source no "
                    + "deadLetterQueueUrl: there is no dead-letter queue to replay from");
        }
        String arn;
        try {
            JsonNode node = JSON.readTree(policy);
            arn = node.path("deadLetterTargetArn").asText(null);
        } catch (IOException e) {
            throw new IllegalArgumentException("redrive policy of " + queueUrl + " is not JSON: " + policy, e);
        }
        // arn:<partition>:sqs:<region>:<account>:<name>
        String[] parts = arn == null ? new String[0] : arn.split(":", 6);
        if (parts.length != 6 || !"sqs".equals(parts[2])) {
            throw new IllegalArgumentException("redrive policy of " + queueUrl + " names no SQS queue ARN: " + policy);
        }
        return sqs.getQueueUrl(r -> r.queueName(parts[5]).queueOwnerAWSAccountId(parts[4])).queueUrl();
    }
}
