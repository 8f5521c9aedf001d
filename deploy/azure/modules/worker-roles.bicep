// What the worker's identity may do, scoped as tightly as Azure allows: data roles on each
// replicated container and on the two queues, never on the whole account.

import { builtInRoles } from 'roles.bicep'

param storageAccountName string
param containers array
param queueName string
param poisonQueueName string

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

resource eventQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: storage::queueService
  name: queueName
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: storage::queueService
  name: poisonQueueName
}

// Read sources, write and delete replicas (s3-to-azure), in each replicated container.
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (c, i) in containers: {
  scope: replicatedContainers[i]
  name: guid(replicatedContainers[i].id, principalId, builtInRoles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Receive, extend visibility and delete event messages.
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
