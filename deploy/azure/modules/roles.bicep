// Built-in Azure role definitions Skyferry uses, by their fixed ids
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage).
// Plain Owner/Contributor grant no data access: the worker needs the data roles below.

@export()
var builtInRoles = {
  // Read, write and delete blobs: targets of azure-to-s3 replicas' counterpart (s3-to-azure writes)
  // and sources (reads); also the Event Grid dead-letter container.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Read blobs only: containers that are only ever a source (azure-to-s3 rules).
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Peek, receive (get) and delete messages. Not Update Message (visibility): worker-roles.bicep adds a custom role.
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  // Add messages: the poison queue, `backfill --enqueue`, and Event Grid's delivery to the queue.
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  // Queue metadata (approximate message count): skyferry_queue_depth and KEDA's azure-queue scaler.
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  // Pull the image from Azure Container Registry with the same identity (App Service path).
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}
