package dev.skyferry.app.bench;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.skyferry.testkit.Emulators;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What the emulated queue alone allows: the same events at the same depth as a Skyferry pass, consumed
 * by the plainest loop that only receives them (full batches, one receiver) and deletes each (as many
 * deleters as copies in flight), copying nothing. Any event-driven tool's throughput on this machine is
 * bounded by it; rclone lists instead and never pays it.
 */
final class QueueCeiling {

    private QueueCeiling() {}

    /** @return events per second from the instant they became visible to the last delete */
    static double measure(Emulators emulators, StoreEndpoints endpoints, Direction direction, String source,
                          Map<String, String> etags, long size, int concurrency) throws Exception {
        boolean azure = direction == Direction.AZURE_TO_S3;
        String name = Emulators.freshName("bench-ceiling");
        QueueClient azureQueue = null;
        QueueClient base64Writer = null;
        String sqsUrl = null;
        SqsClient sqs = emulators.sqsClient();
        if (azure) {
            base64Writer = emulators.queueService().createQueue(name); // base64, as Event Grid writes
            azureQueue = emulators.queueService(QueueMessageEncoding.NONE).getQueueClient(name); // as the worker reads
        } else {
            sqsUrl = sqs.createQueue(b -> b.queueName(name)).queueUrl();
        }
        BenchEvents events = new BenchEvents(emulators, endpoints, base64Writer, sqsUrl);
        Instant visibleAt = BenchEvents.visibleInstantFor(etags.size());
        BenchEvents.awaitVisible(visibleAt, events.send(direction, source, etags, size, visibleAt), etags.size());

        LinkedBlockingQueue<Runnable> deletes = new LinkedBlockingQueue<>();
        AtomicInteger deleted = new AtomicInteger();
        AtomicReference<Instant> lastDelete = new AtomicReference<>();
        QueueClient receiveFrom = azureQueue;
        String receiveUrl = sqsUrl;
        try (ExecutorService deleters = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(deleters.submit(() -> {
                    while (deleted.get() < etags.size()) {
                        Runnable delete = deletes.poll(100, TimeUnit.MILLISECONDS);
                        if (delete != null) {
                            delete.run();
                            deleted.incrementAndGet();
                            lastDelete.set(Instant.now());
                        }
                    }
                    return null;
                }));
            }
            int received = 0;
            while (received < etags.size()) {
                if (deletes.size() >= concurrency) { // receive ahead no further than the deleters keep up with
                    Thread.sleep(1);
                    continue;
                }
                if (azure) {
                    for (QueueMessageItem item : receiveFrom.receiveMessages(32, Duration.ofMinutes(5), null, null)) {
                        deletes.add(() -> receiveFrom.deleteMessage(item.getMessageId(), item.getPopReceipt()));
                        received++;
                    }
                } else {
                    for (Message message : sqs.receiveMessage(b -> b.queueUrl(receiveUrl).maxNumberOfMessages(10)
                            .waitTimeSeconds(1).visibilityTimeout(300)).messages()) {
                        deletes.add(() -> sqs.deleteMessage(b -> b.queueUrl(receiveUrl).receiptHandle(message.receiptHandle())));
                        received++;
                    }
                }
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        if (azure) {
            azureQueue.delete();
        } else {
            sqs.deleteQueue(b -> b.queueUrl(receiveUrl));
        }
        return etags.size() / (Duration.between(visibleAt, lastDelete.get()).toNanos() / 1e9);
    }
}
