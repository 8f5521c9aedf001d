package dev.skyferry.ops.replay;

import dev.skyferry.ops.progress.Progress;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code replay --server-side}: an unfiltered move of a whole SQS dead-letter queue with SQS's own
 * StartMessageMoveTask. SQS does the work (no message passes through this process, it survives our
 * crash, one task per queue at a time) at an optional rate; the price is that it cannot filter,
 * dry-run, process in-process or report per message, and it carries every message attribute back
 * unchanged — the worker's dead-letter attributes included, which the worker ignores on receipt.
 * Moved messages get new ids (AWS SQS API reference, StartMessageMoveTask).
 */
public final class SqsMoveTask {

    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    private final SqsClient sqs;

    public SqsMoveTask(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** What the finished task reported. */
    public record Result(String taskHandle, String status, long moved, Long toMove, String failureReason) {
        public boolean completed() {
            return "COMPLETED".equals(status);
        }
    }

    /**
     * Starts the move and waits for it to end, updating {@code progress} as SQS reports. When the
     * wait is interrupted the task keeps running in SQS: {@link TaskStillRunning} names its handle
     * (cancel with {@code aws sqs cancel-message-move-task --task-handle …}).
     *
     * @param destinationQueueUrl null to let SQS return each message to the queue it came from
     * @param ratePerSecond       null for SQS's own pace (up to 500 per second)
     */
    public Result move(String deadLetterQueueUrl, String destinationQueueUrl, Integer ratePerSecond, Progress progress) {
        String sourceArn = arn(deadLetterQueueUrl);
        String destinationArn = destinationQueueUrl == null ? null : arn(destinationQueueUrl);
        String handle = sqs.startMessageMoveTask(r -> r.sourceArn(sourceArn).destinationArn(destinationArn)
                .maxNumberOfMessagesPerSecond(ratePerSecond)).taskHandle();
        while (true) {
            // The most recent task comes first, and SQS allows one active task per queue: it is ours.
            // (TaskHandle is only listed while a task runs, so it cannot identify a finished one.)
            Optional<ListMessageMoveTasksResultEntry> task = sqs.listMessageMoveTasks(r -> r.sourceArn(sourceArn).maxResults(1))
                    .results().stream().findFirst();
            if (task.isPresent()) {
                ListMessageMoveTasksResultEntry t = task.get();
                if (t.approximateNumberOfMessagesToMove() != null) {
                    progress.total(t.approximateNumberOfMessagesToMove());
                }
                long moved = t.approximateNumberOfMessagesMoved() == null ? 0 : t.approximateNumberOfMessagesMoved();
                progress.advance(moved - progress.done(), 0);
                if (!"RUNNING".equals(t.status()) && !"CANCELLING".equals(t.status())) {
                    return new Result(handle, t.status(), moved, t.approximateNumberOfMessagesToMove(), t.failureReason());
                }
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TaskStillRunning(handle);
            }
        }
    }

    /** The wait was interrupted; the move goes on in SQS. */
    public static final class TaskStillRunning extends RuntimeException {
        private final String taskHandle;

        TaskStillRunning(String taskHandle) {
            super("interrupted; the SQS message move task keeps running (cancel it with "
                    + "aws sqs cancel-message-move-task --task-handle " + taskHandle + ")");
            this.taskHandle = taskHandle;
        }

        public String taskHandle() {
            return taskHandle;
        }
    }

    private String arn(String queueUrl) {
        return sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}
