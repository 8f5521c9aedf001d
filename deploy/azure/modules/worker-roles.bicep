// What the worker's identity may do, scoped as tightly as Azure allows: data roles on each
// replicated container and on the two queues, never on the whole account.

import { builtInRoles } from 'roles.bicep'

param storageAccountName string
param containers array

@description('Those of the containers that are only ever a source (azure-to-s3 rules): read, never written.')
param sourceOnlyContainers array = []
param queueName string
param poisonQueueName string
param deadLetterContainerName string

@description('Grant the blob index tag data actions rules with copyTags need (Storage Blob Data Contributor has none).')
param copyTags bool = true

@description('Object (principal) id of the worker identity.')
param principalId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource replicatedContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [for c in containers: {
  parent: storage::blobService
  name: c
}]

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: storage::blobService
  name: deadLetterContainerName
}

resource eventQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: storage::queueService
  name: queueName
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: storage::queueService
  name: poisonQueueName
}

// Read sources, write and delete replicas (s3-to-azure), in each replicated container.
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in containers: if (!contains(sourceOnlyContainers, c)) {
  scope: replicatedContainers[i]
  name: guid(replicatedContainers[i].id, principalId, builtInRoles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Only read where nothing is ever written: whoever holds the worker's token cannot change the data it backs up.
resource blobReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in containers: if (contains(sourceOnlyContainers, c)) {
  scope: replicatedContainers[i]
  name: guid(replicatedContainers[i].id, principalId, builtInRoles.storageBlobDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Get Blob Tags on sources and x-ms-tags on replicas, for rules with copyTags: no built-in data role
// grants tags/read and tags/write short of Storage Blob Data Owner, which also grants ACL changes.
resource blobIndexTagsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (copyTags) {
  name: guid(resourceGroup().id, 'skyferry-blob-index-tags')
  properties: {
    roleName: 'Skyferry blob index tags (${resourceGroup().name})'
    description: 'Read and write blob index tags: Skyferry rules with copyTags.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'
        ]
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource blobIndexTags 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in containers: if (copyTags) {
  scope: replicatedContainers[i]
  name: guid(replicatedContainers[i].id, principalId, 'skyferry-blob-index-tags')
  properties: {
    roleDefinitionId: blobIndexTagsRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// `skyferry replay` of Event Grid's own dead letters: list, read, delete and rewrite their blobs.
resource deadLetterReplay 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deadLetterContainer
  name: guid(deadLetterContainer.id, principalId, builtInRoles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Update Message (the visibility heartbeat of a long copy, a release with a growing delay, the give-back
// at shutdown; replay's release of poison messages it keeps): its data action, messages/write, is in no
// built-in queue role short of Storage Queue Data Contributor, which also manages the queue itself.
resource queueMessageUpdateRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'skyferry-queue-message-update')
  properties: {
    roleName: 'Skyferry queue message update (${resourceGroup().name})'
    description: 'Update queue messages (visibility): the Skyferry worker and replay.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/queueServices/queues/messages/write'
        ]
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource queueMessageUpdate 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventQueue
  name: guid(eventQueue.id, principalId, 'skyferry-queue-message-update')
  properties: {
    roleDefinitionId: queueMessageUpdateRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource poisonMessageUpdate 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: poisonQueue
  name: guid(poisonQueue.id, principalId, 'skyferry-queue-message-update')
  properties: {
    roleDefinitionId: queueMessageUpdateRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Receive (get) and delete event messages.
resource queueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventQueue
  name: guid(eventQueue.id, principalId, builtInRoles.storageQueueDataMessageProcessor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageProcessor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Queue depth for skyferry_queue_depth (and for KEDA when it uses this identity).
resource queueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventQueue
  name: guid(eventQueue.id, principalId, builtInRoles.storageQueueDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// `backfill --enqueue` adds synthetic events to the event queue.
resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: eventQueue
  name: guid(eventQueue.id, principalId, builtInRoles.storageQueueDataMessageSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Dead-lettering writes to the poison queue; `replay` reads it back and deletes what it re-queued.
resource poisonSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: poisonQueue
  name: guid(poisonQueue.id, principalId, builtInRoles.storageQueueDataMessageSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource poisonProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: poisonQueue
  name: guid(poisonQueue.id, principalId, builtInRoles.storageQueueDataMessageProcessor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageProcessor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
