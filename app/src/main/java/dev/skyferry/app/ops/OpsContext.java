package dev.skyferry.app.ops;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import dev.skyferry.event.EventParser;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What {@code replay}, {@code backfill} and {@code diff} need from the configuration, built by the
 * app from {@code skyferry.yaml} with the same identities, endpoints and resilience as the worker.
 * The commands only read through it; they never build clients themselves. Opened once per command
 * run and closed at its end.
 */
public interface OpsContext extends AutoCloseable {

    /** Builds a context from a configuration file (null: {@code SKYFERRY_CONFIG}). */
    @FunctionalInterface
    interface Factory {
        OpsContext open(Path configFile);
    }

    /** The configured rules, validated. */
    RuleSet rules();

    /** The configured queue sources, in configuration order. */
    List<SourceQueue> sources();

    default Optional<SourceQueue> source(String name) {
        return sources().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * A container of a configured Azure account, as a store (rules' sides, Event Grid dead-letter
     * containers). Store calls should carry the worker's per-call retry.
     */
    ObjectStore azureContainer(String account, String container);

    /** An S3 bucket, as a store. */
    ObjectStore s3Bucket(String bucket);

    /**
     * A queue of a configured Azure account, with {@link QueueMessageEncoding#NONE}: ops moves
     * message text exactly as stored (the worker reads and writes its queues the same way).
     */
    QueueClient azureQueue(String account, String queueName);

    /** The SQS client for the configured region and endpoint; null when no AWS side is configured. */
    SqsClient sqs();

    /** {@code aws.region}, written into synthetic S3 events. */
    String awsRegion();

    /**
     * The worker's pipeline ({@code ReplicationPipeline}), for {@code backfill --direct} and
     * {@code replay --process}; only those call it, so it may be built on first call.
     */
    EventProcessor processor();

    default EventParser parser() {
        return new EventParser();
    }

    default Clock clock() {
        return Clock.systemUTC();
    }

    /** Releases clients and the pipeline's threads. */
    @Override
    void close();

    /**
     * One configured queue source ({@code sources[i]}).
     *
     * @param type               {@link Type#AZURE_QUEUE} or {@link Type#SQS}
     * @param account            Azure storage account (azure-queue only)
     * @param queue              Azure queue name (azure-queue only)
     * @param poisonQueue        Azure poison queue name, default applied ({@code <queue>-poison})
     * @param queueUrl           SQS queue URL (sqs only)
     * @param deadLetterQueueUrl SQS DLQ URL (sqs only); null means "from the queue's redrive policy"
     */
    record SourceQueue(String name, Type type, String account, String queue, String poisonQueue, String queueUrl,
                       String deadLetterQueueUrl) {

        public enum Type { AZURE_QUEUE, SQS }

        public static SourceQueue azure(String name, String account, String queue, String poisonQueue) {
            return new SourceQueue(name, Type.AZURE_QUEUE, account, queue,
                    poisonQueue == null ? queue + "-poison" : poisonQueue, null, null);
        }

        public static SourceQueue sqs(String name, String queueUrl, String deadLetterQueueUrl) {
            return new SourceQueue(name, Type.SQS, null, null, null, queueUrl, deadLetterQueueUrl);
        }
    }
}
