package dev.skyferry.ops.replay;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueStorageException;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.queue.AzureQueueSends;

/**
 * Puts the original message text back onto an Azure source queue. The client must use
 * {@link QueueMessageEncoding#NONE}: the text already is what the queue held (Event Grid's base64
 * included), and a BASE64 client would encode it a second time.
 */
public final class AzureQueueDestination implements ReplayDestination {

    private final QueueClient queue;

    public AzureQueueDestination(QueueClient queue) {
        AzurePoisonQueue.requireRawText(queue);
        this.queue = queue;
    }

    @Override
    public String describe() {
        return "azure-queue " + queue.getAccountName() + "/" + queue.getQueueName();
    }

    @Override
    public boolean accepts(DeadLetter.QueueFamily family) {
        return family == DeadLetter.QueueFamily.AZURE_QUEUE;
    }

    @Override
    public Delivery deliver(DeadLetter letter, ParsedMessage parsed) {
        try {
            return new Delivery.Accepted("sent as " + AzureQueueSends.sendKeptUntilDeleted(queue, letter.body()));
        } catch (QueueStorageException e) {
            return new Delivery.Rejected("send to " + queue.getQueueName() + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            // Connection failures surface from the Azure SDK as unchecked exceptions of their own kinds.
            return new Delivery.Rejected("send to " + queue.getQueueName() + " failed: " + e);
        }
    }
}
